// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// Gallery zip archives: images/<id>.png and the maps, edit inputs and masks byte for byte as
// stored, plus gallery.json with each item's recipe, sha256 hashes and creation time. Import
// verifies the hashes and writes the bytes unchanged, so export -> import is byte-identical.

#include "gallery_store.h"

#include <QSet>

#include <functional>
#include <optional>

namespace ldm::bridge {

/// Called after each item with (done, total); returning false stops the work (Cancelled).
using ArchiveProgress = std::function<bool(int done, int total)>;

/// Writes the items `ids` (all when empty) to `zipPath`, atomically (temp file + rename).
Result<void> exportGalleryArchive(const GalleryStore& store, const QStringList& ids,
                                  const QString& zipPath);

/// The export itself, from a copy of the items and the store's root: it reads only files, so
/// it can run off the GUI thread while the store keeps changing.
Result<void> exportGalleryItems(const QString& root, const QList<GalleryItem>& items,
                                const QString& zipPath, const ArchiveProgress& progress = {});

struct ImportReport
{
    int imported = 0;
    int duplicates = 0; ///< already in the gallery (same image hash), skipped
};

/// What an archive holds, read, verified and thumbnailed (off the GUI thread), before it is
/// filed into a store with GalleryStore::addItem().
struct ArchiveContents
{
    QList<EncodedItem> items;   ///< in archive order, up to the first damaged entry
    int duplicates = 0;         ///< skipped: their image hash is in `knownHashes`
    std::optional<Error> error; ///< why reading stopped early, if it did
};

/// Reads `zipPath`; items whose image hash is in `knownHashes` are counted, not read.
ArchiveContents readGalleryArchive(const QString& zipPath, const QSet<QString>& knownHashes,
                                   const ArchiveProgress& progress = {});

/// Adds every item of the archive to `store`. A damaged archive, a hash mismatch or an
/// oversized entry stops the import with a message; items imported before it stay.
Result<ImportReport> importGalleryArchive(GalleryStore& store, const QString& zipPath);

} // namespace ldm::bridge
