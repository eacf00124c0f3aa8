#pragma once
// The dashboard frame as text (spec §9): header grid, REQUEST LIFECYCLE, verdict, the 80-cell e2e bar with
// the backpressure cause tree, and EVENT LOOP LAG. Pure: a Model in, a string out.
//
// Geometry: rules are `width` columns (129); every other line is at most 128 columns: a 2 + 3×40 + 2×3 grid,
// distribution rows of label 50, N 12, five 11-column ms values and a 9-column %E2E. The bar is exactly 80
// cells between `│`; the tree's leaves end at column 128, under the backpressure value.
//
// Colour: with color=false, plain text (tests, logs). With color=true, ANSI 256-colour SGR foregrounds from
// the spec's theme (§9.6); ordinary text keeps the terminal's default foreground, so a frame reads on light
// and dark terminals alike, and nothing is bold.

#include <string>
#include <string_view>

#include "dashboard/model.h"

namespace ie::dashboard {

struct RenderOptions {
  bool color = false;
  int width = 129;  // rule width; the content columns are fixed
};

// The whole frame, one '\n' after every line.
std::string render(const Model& model, const RenderOptions& options);

// The frame cut to a screen of `columns` x `rows` (0: no limit). A longer line is cut at the column, its
// colour sequences kept whole and the colour closed; when lines do not fit, the last row says how many
// are hidden. A terminal that wrapped or scrolled instead would smear every later redraw.
std::string fit_to_screen(std::string_view frame, int columns, int rows);

// Display name of a cause-tree leaf ("pickup-ipc", "encode", ...).
std::string_view leaf_name(Leaf leaf);

// The stage row label without its "[class] " prefix, e.g. "issue -> worker received".
std::string_view stage_label(trace::StageRow row, bool streaming);

}  // namespace ie::dashboard
