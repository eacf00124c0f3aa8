#include "config/suggest.h"

#include <algorithm>
#include <utility>
#include <vector>

namespace ie::config {

size_t edit_distance(std::string_view a, std::string_view b) {
  // The DP table kept as three rolling rows: two_back/previous/current hold rows i-2, i-1 and i, where
  // row[j] = distance(a[0..i), b[0..j)). The transposition case needs row i-2.
  std::vector<size_t> two_back(b.size() + 1), previous(b.size() + 1), current(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) previous[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    current[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      current[j] = std::min({previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
        current[j] = std::min(current[j], two_back[j - 2] + 1);
      }
    }
    std::swap(two_back, previous);
    std::swap(previous, current);
  }
  return previous[b.size()];
}

std::string nearest(std::string_view typed, std::span<const std::string_view> candidates) {
  size_t allowed = typed.size() >= 10 ? 3 : typed.size() >= 5 ? 2 : 1;
  std::string_view best;
  size_t best_distance = allowed + 1;
  for (std::string_view candidate : candidates) {
    size_t distance = edit_distance(typed, candidate);
    if (distance < best_distance) {
      best = candidate;
      best_distance = distance;
    }
  }
  return std::string(best);
}

}  // namespace ie::config
