// "Did you mean": the closest of a few known words to a mistyped one.
#pragma once

#include <string>
#include <vector>

namespace kiln::cli {

// The candidate nearest to `word` by edit distance, or empty when none is close enough to be a typo.
std::string closest(const std::string& word, const std::vector<std::string>& candidates);

}  // namespace kiln::cli
