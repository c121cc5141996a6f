// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// Gallery zip archives: images/<id>.png and maps/<id>.png byte for byte as stored, plus
// gallery.json with each item's recipe, sha256 hashes and creation time. Import verifies the
// hashes and writes the bytes unchanged, so export -> import is byte-identical.

#include "gallery_store.h"

namespace ldm::bridge {

/// Writes the items `ids` (all when empty) to `zipPath`, atomically (temp file + rename).
Result<void> exportGalleryArchive(const GalleryStore& store, const QStringList& ids,
                                  const QString& zipPath);

struct ImportReport
{
    int imported = 0;
    int duplicates = 0; ///< already in the gallery (same image hash), skipped
};

/// Adds every item of the archive to `store`. A damaged archive, a hash mismatch or an
/// oversized entry stops the import with a message; items imported before it stay.
Result<ImportReport> importGalleryArchive(GalleryStore& store, const QString& zipPath);

} // namespace ldm::bridge
