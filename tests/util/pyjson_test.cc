#include "util/pyjson.h"

#include <gtest/gtest.h>

namespace lamin::util {
namespace {

// The expected texts are what Python 3.11's json.dumps printed for the same values.
TEST(PythonJson, WritesWhatJsonDumpsWrites) {
  auto text = PythonJsonText(
      R"({"a":[1e15,1e16,0.0001,0.00001,-0.0,1.5,123456789.125,3.0],)"
      "\"\xc3\xa9\":\"\xc3\xa9\xf0\x9f\x98\x80\x7f\\u0001\\t\",\"n\":null,\"b\":true}");
  ASSERT_TRUE(text.ok()) << text.status().ToString();
  EXPECT_EQ(*text,
            R"({"a": [1000000000000000.0, 1e+16, 0.0001, 1e-05, -0.0, 1.5, 123456789.125, 3.0], )"
            R"("\u00e9": "\u00e9\ud83d\ude00\u007f\u0001\t", )"
            R"("n": null, "b": true})");
}

TEST(PythonJson, FloatsAreWrittenAsPythonsRepr) {
  EXPECT_EQ(PythonJsonText("[0.1, 1e-7, 2.5e-5, 123.0, 1e22, 9007199254740993.0, -1.25e300]").value(),
            "[0.1, 1e-07, 2.5e-05, 123.0, 1e+22, 9007199254740992.0, -1.25e+300]");
}

TEST(PythonJson, KeepsTheKeyOrderGivenAndRefusesWhatIsNotJson) {
  EXPECT_EQ(PythonJsonText(R"({"n":3,"mode":"fast"})").value(), R"({"n": 3, "mode": "fast"})");
  EXPECT_EQ(PythonJsonText(R"({"z":1,"a":{"y":[],"b":{}}})").value(),
            R"({"z": 1, "a": {"y": [], "b": {}}})");
  EXPECT_EQ(PythonJsonText("{\"n\": ").status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace lamin::util
