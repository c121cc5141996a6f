// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// Reading images safely and carrying recipes inside PNG text chunks.

#include "ldm/recipe.h"
#include "ldm/result.h"

#include <QByteArray>
#include <QFile>
#include <QImage>
#include <QString>

namespace ldm::bridge {

/// PNG text key with A1111-style settings (readable by other tools).
inline constexpr char ParametersKey[] = "parameters";
/// PNG text key with our lossless JSON recipe.
inline constexpr char RecipeKey[] = "latent-canvas";
/// Largest image we decode (pixels); larger files are refused before any allocation.
constexpr qint64 MaxImagePixels = 8192LL * 8192LL;

/// Opens `path` for reading into `file` when it is a regular file; a FIFO, device or folder is
/// refused at once, without blocking (core/regular_file.h, the engine's check).
Result<void> openRegularFile(const QString& path, QFile& file);

/// Decodes an image file, refusing unreadable, corrupt or oversized files with a clear message.
Result<QImage> readImageChecked(const QString& path, qint64 maxPixels = MaxImagePixels);
/// Same for bytes in memory.
Result<QImage> decodeImageChecked(const QByteArray& bytes, qint64 maxPixels = MaxImagePixels);

/// PNG bytes of `image` with the `parameters` and `latent-canvas` text chunks.
Result<QByteArray> encodePngWithRecipe(const QImage& image, const Recipe& recipe);
/// Plain PNG bytes (label maps, thumbnails).
Result<QByteArray> encodePng(const QImage& image);

/// A recipe found in an image file's metadata.
struct FoundRecipe
{
    Recipe recipe;
    QString parameters;    ///< the raw `parameters` text, if any
    bool lossless = false; ///< true when read from our JSON chunk, false when from A1111 text
};

/// Reads the recipe from a PNG's text chunks without decoding the pixels: our JSON chunk
/// when present, else the A1111 `parameters` text. Fails when neither is there.
Result<FoundRecipe> readRecipeFromImage(const QString& path);

/// Lower-case hex sha256 of `bytes`; `length` > 0 keeps only that many digits.
QString sha256Hex(const QByteArray& bytes, int length = 0);

/// Writes `bytes` to `path` atomically: readers see the old file or the new one, never half.
Result<void> writeFileAtomically(const QString& path, const QByteArray& bytes);

/// Error text as a QString for widgets.
inline QString errorText(const Error& error)
{
    return QString::fromStdString(error.message);
}

} // namespace ldm::bridge
