// Scripts as transforms, shared by `lamin run`, `lamin track` and `lamin save SCRIPT`: a
// script's text (its source) and the transform kind LaminDB gives its file type.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

namespace lamin::cli {

// A text file's content; nullopt for a folder, a binary, an unreadable or a very large file.
std::optional<std::string> SourceText(const std::filesystem::path& path);

// The kind lamin-cli gives a file it saves as a transform: "script" for .py .R .sh, "notebook"
// for .ipynb .qmd .Rmd; nullopt for any other suffix.
std::optional<std::string> TransformKindOfFile(const std::filesystem::path& path);

// Where lamin-cli keeps the run of a shell session (`lamin track` … `lamin finish`), so that
// both tools see the same run: current_shell_run.txt in the settings folder.
std::filesystem::path CurrentShellRunFile();

}  // namespace lamin::cli
