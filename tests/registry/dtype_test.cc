// Feature dtypes and values as LaminDB stores them: the JSON text of json.dumps after its
// conversions and the hash hash_string(str(value)) (LAYER2 §3's table, and annotations.md).
#include "registry/dtype.h"

#include <gtest/gtest.h>

#include <sstream>

#include "util/csv.h"
#include "util/pyjson.h"

namespace lamin::registry {
namespace {

using Json = nlohmann::ordered_json;

StoredValue Stored(const std::string& dtype, const std::string& text) {
  auto d = ParseDtype(dtype);
  EXPECT_TRUE(d.ok()) << d.status().ToString();
  auto v = ValueFromText(*d, "f", text);
  EXPECT_TRUE(v.ok()) << v.status().ToString();
  return v.ok() ? StoreValue(*v) : StoredValue{};
}

TEST(Dtype, ValuesAreStoredWithPythonsTextAndHash) {
  // LAYER2 §3's examples.
  EXPECT_EQ(StoreValue(Json("abc")).hash, "kAFQmDzST7DWlj99KOF_cg");
  EXPECT_EQ(StoreValue(Json(true)).json, "true");
  EXPECT_EQ(StoreValue(Json(true)).hash, "-CfPRi9ihI3zfF4elKTadA");
  EXPECT_EQ(StoreValue(Json(5)).hash, "5No7f7vOI0XXdysGdKMY1Q");
  EXPECT_EQ(StoreValue(Json(1.5)).hash, "YAhkcnfERUzs2X0zwGnwyg");
  EXPECT_EQ(StoreValue(Json::parse(R"(["a","b"])")).json, R"(["a", "b"])");
  EXPECT_EQ(StoreValue(Json::parse(R"(["a","b"])")).hash, "znW9HNch9o3WK2XihooZUQ");
  // A dict keeps its order in the text and is hashed over sorted keys (hash_dict).
  StoredValue dict = StoreValue(Json::parse(R"({"b":[1,2],"a":1})"));
  EXPECT_EQ(dict.json, R"({"b": [1, 2], "a": 1})");
  EXPECT_EQ(dict.hash, "y-bZsHOKcJaC_bYw4qaCUA");
  // annotations.db: text read by the dtype gives the rows Python wrote for typed values.
  EXPECT_EQ(Stored("float", "37").json, "37.0");
  EXPECT_EQ(Stored("float", "37").hash, "1po0a-Xz8b75s17eioGEOQ");
  EXPECT_EQ(Stored("num", "37.5").hash, "x1psgBGwpW2nUHWL8e3jag");
  EXPECT_EQ(Stored("int", "1000").hash, "qbe6cHg7YX6ZmNxN2C6zxQ");
  EXPECT_EQ(Stored("str", "D-01").json, "\"D-01\"");
  EXPECT_EQ(Stored("bool", "False").hash, "-DILJtMKtDPFpUVG0h9BTA");
  EXPECT_EQ(Stored("date", "2024-01-15").hash, "BJNnGDk4z_8AP8Lsf2Or6Q");
  EXPECT_EQ(Stored("datetime", "2024-01-15 10:30:05").json, "\"2024-01-15T10:30:05\"");
  EXPECT_EQ(Stored("datetime", "2024-01-15T10:30:05").hash, "qiP0lX3BK0hNMOrVGeK-iw");
  EXPECT_EQ(Stored("list[str]", "x,y").hash, "Xv4qMdKckR9uJl7LPWHrCQ");
  EXPECT_EQ(Stored("path", "data/raw/").json, "\"data/raw\"");
  EXPECT_EQ(Stored("str", "é").json, "\"\\u00e9\"");  // ensure_ascii
}

TEST(Dtype, DtypesParseAndPrintAsLaminDbWritesThem) {
  for (const char* text : {"num", "int", "float", "str", "bool", "date", "datetime", "dict", "path",
                           "url", "list[str]", "list[int]", "cat[ULabel]", "cat[Record]",
                           "cat[Project]", "cat[ULabel[zTJrf6xQ]]", "list[cat[ULabel]]"}) {
    auto d = ParseDtype(text);
    ASSERT_TRUE(d.ok()) << text << ": " << d.status().ToString();
    EXPECT_EQ(d->Text(), text);
  }
  EXPECT_EQ(ParseDtype("cat")->Text(), "cat[ULabel]");  // the deprecated bare form
  for (const char* bad : {"", "number", "list[dict]", "cat[Gene]", "cat[ULabel[a|b]]", "cat[",
                          "cat[bionty.CellType]"}) {
    EXPECT_EQ(ParseDtype(bad).status().code(), StatusCode::kInvalidArgument) << bad;
  }
}

TEST(Dtype, AValueNotOfItsDtypeNamesTheFeatureTheValueAndWhatIsAllowed) {
  auto check = [](const std::string& dtype, const std::string& text, const std::string& says) {
    auto v = ValueFromText(*ParseDtype(dtype), "temperature", text);
    ASSERT_FALSE(v.ok()) << dtype << " " << text;
    EXPECT_NE(v.status().message().find("feature 'temperature'"), std::string::npos);
    EXPECT_NE(v.status().message().find(says), std::string::npos) << v.status().message();
  };
  check("int", "1.5", "is not an integer");
  check("float", "warm", "is not a floating-point number");
  check("num", "nan", "is not a number");
  check("bool", "maybe", "true or false");
  check("date", "2024-02-30", "YYYY-MM-DD");
  check("datetime", "2024-01-15T10:30:05+01:00", "without a time zone");
  check("dict", "[1]", "a JSON object");
  check("list[int]", "1,x", "is not an integer");
  // JSON must be of the dtype's type: Python refuses an int for a float feature and a string
  // for a number.
  EXPECT_FALSE(ValueFromJson(*ParseDtype("float"), "t", Json(5)).ok());
  EXPECT_FALSE(ValueFromJson(*ParseDtype("num"), "t", Json("37.5")).ok());
  EXPECT_TRUE(ValueFromJson(*ParseDtype("num"), "t", Json(5)).ok());
  auto labels = ValueFromText(*ParseDtype("cat[ULabel]"), "t", " T cell , B cell");
  ASSERT_TRUE(labels.ok());
  EXPECT_EQ(labels->dump(), R"(["T cell","B cell"])");
  auto quoted = ValueFromText(*ParseDtype("list[cat[ULabel]]"), "t", R"(["a, b"])");
  ASSERT_TRUE(quoted.ok());
  EXPECT_EQ(quoted->size(), 1u);
}

TEST(Dtype, IsoFormsAreThoseOfPythonsIsoformat) {
  EXPECT_EQ(IsoDatetime("2024-01-15 10:30").value_or(""), "2024-01-15T10:30:00");
  EXPECT_EQ(IsoDatetime("2024-01-15T10:30:05.5").value_or(""), "2024-01-15T10:30:05.500000");
  EXPECT_EQ(IsoDatetime("2024-01-15T10:30:05.000000").value_or(""), "2024-01-15T10:30:05");
  EXPECT_FALSE(IsoDatetime("2024-01-15T25:00:00"));
  EXPECT_FALSE(IsoDate("2023-02-29"));
  EXPECT_TRUE(IsoDate("2024-02-29"));
}

TEST(PythonStr, IsPythonsStrOfTheDecodedValue) {
  EXPECT_EQ(util::PythonStr(Json::parse(R"(["x","y"])")), "['x', 'y']");
  EXPECT_EQ(util::PythonStr(Json::parse(R"(["it's"])")), "[\"it's\"]");
  EXPECT_EQ(util::PythonStr(Json::parse(R"([true,null,1.0])")), "[True, None, 1.0]");
  EXPECT_EQ(util::PythonStr(Json::parse(R"({"a":[1]})")), "{'a': [1]}");
  EXPECT_EQ(util::PythonStr(Json(1e16)), "1e+16");
  EXPECT_EQ(util::PythonJsonDumpsSorted(Json::parse(R"({"b":1,"a":{"d":1,"c":2}})")),
            R"({"a": {"c": 2, "d": 1}, "b": 1})");
}

TEST(DelimitedReader, ReadsQuotedFieldsDelimitersAndLineBreaks) {
  std::istringstream in("a,\"b,c\",\"d\"\"e\"\r\n1,\"two\nlines\",3\nlast");
  util::DelimitedReader r(in, ',');
  std::vector<std::string> f;
  ASSERT_TRUE(*r.Next(&f));
  EXPECT_EQ(f, (std::vector<std::string>{"a", "b,c", "d\"e"}));
  ASSERT_TRUE(*r.Next(&f));
  EXPECT_EQ(f, (std::vector<std::string>{"1", "two\nlines", "3"}));
  EXPECT_EQ(r.line(), 2);
  ASSERT_TRUE(*r.Next(&f));
  EXPECT_EQ(f, (std::vector<std::string>{"last"}));
  EXPECT_EQ(r.line(), 4);
  EXPECT_FALSE(*r.Next(&f));
  std::istringstream open("x,\"never closed\n");
  util::DelimitedReader bad(open, ',');
  EXPECT_EQ(bad.Next(&f).status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace lamin::registry
