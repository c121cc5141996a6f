// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "ldm/recipe.h"

#include <QString>

namespace ldm::ui {

/// The recipe as a small HTML table for the details pane (labels translated).
QString recipeHtml(const Recipe& recipe);

} // namespace ldm::ui
