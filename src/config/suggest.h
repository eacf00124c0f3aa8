#pragma once
// "Did you mean ...?" for misspelled keys and flags.

#include <cstddef>
#include <span>
#include <string>
#include <string_view>

namespace ie::config {

// Edit distance counting an insertion, deletion, substitution or swap of two adjacent characters as one edit
// (optimal string alignment), case-sensitive: "tpye" is 1 from "type".
size_t edit_distance(std::string_view a, std::string_view b);

// The candidate closest to `typed`, if it is close enough to be a plausible typo: distance at most 1 for
// short names, at most 2 from 5 characters on, at most 3 from 10 on. "" when none qualifies; ties go to the
// earlier candidate.
std::string nearest(std::string_view typed, std::span<const std::string_view> candidates);

}  // namespace ie::config
