// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// Lets ldm::Recipe travel in queued signals and QVariant. Include it (instead of recipe.h)
// in every header that names Recipe in a signal or slot: the declaration must come before moc
// instantiates the type's meta-type.

#include "ldm/recipe.h"

#include <QMetaType>

Q_DECLARE_METATYPE(ldm::Recipe)
