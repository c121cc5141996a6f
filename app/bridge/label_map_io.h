// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// Label maps on disk: indexed PNGs whose palette is the class palette, so any image viewer
// shows them in the class colours and the pixel indices are the class ids, exactly.

#include "class_palette.h"
#include "ldm/result.h"

#include <QImage>
#include <QList>
#include <QString>

namespace ldm::bridge {

/// Side of a label map must be a multiple of this (the autoencoder downsampling factor).
constexpr int LabelMapMultiple = 8;
/// Largest label map side we accept.
constexpr int LabelMapMaxSide = 4096;

/// A new Format_Indexed8 map filled with `classId`, with the palette's colour table.
QImage makeLabelMap(int width, int height, int classId, const ClassPalette& palette);

/// Writes the map as an indexed PNG with the palette, atomically (QSaveFile).
Result<void> saveLabelMap(const QImage& ids, const ClassPalette& palette, const QString& path);

/// A label-map file read from disk, before unknown colours are resolved.
struct LabelMapScan
{
    QImage ids;                ///< Indexed8; unknown colours already mapped to nearest class
    QList<QRgb> unknownColors; ///< colours that match no class exactly (empty = exact)
    qint64 unknownPixels = 0;  ///< how many pixels had such colours
};

/// Reads any image as a label map: each pixel's colour is looked up in the palette (by colour,
/// not by index, so maps from other tools work). Colours that match no class are listed in
/// the result and mapped to the nearest class; the caller decides whether to accept that.
/// Fails with a clear message on unreadable files, wrong sizes or oversized images.
Result<LabelMapScan> loadLabelMap(const QString& path, const ClassPalette& palette);

/// Same as loadLabelMap() for an image already in memory.
Result<LabelMapScan> labelMapFromImage(const QImage& image, const ClassPalette& palette);

} // namespace ldm::bridge
