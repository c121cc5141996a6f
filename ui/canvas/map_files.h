// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "bridge/label_map_io.h"

#include <QString>

#include <functional>

class QWidget;

namespace ldm::ui {

class LabelDocument;

/// Asked when a map file holds colours that are not classes: true maps each to the nearest
/// class, false abandons the load.
using UnknownColorsPrompt = std::function<bool(const bridge::LabelMapScan&)>;

/// The prompt used by the app: a QMessageBox listing the colours and what they would become.
UnknownColorsPrompt unknownColorsMessageBox(QWidget* parent, const bridge::ClassPalette& palette);

enum class MapLoadStatus { Loaded, Declined, Failed };

struct MapLoadResult
{
    MapLoadStatus status = MapLoadStatus::Failed;
    QString message; ///< why it failed, for the user
};

/// Loads `path` into the document (undoable). Unknown colours go through `ask` first.
MapLoadResult loadMapIntoDocument(LabelDocument& document, const QString& path,
                                  const UnknownColorsPrompt& ask);

/// The second half of loadMapIntoDocument(), for a file scanned off the GUI thread with
/// bridge::loadLabelMap(): asks about unknown colours, then replaces the map (undoable).
MapLoadResult applyMapScan(LabelDocument& document, const Result<bridge::LabelMapScan>& scan,
                           const QString& path, const UnknownColorsPrompt& ask);

/// Saves the document's map as an indexed PNG with the palette; returns "" or an error.
QString saveDocumentMap(const LabelDocument& document, const QString& path);

} // namespace ldm::ui
