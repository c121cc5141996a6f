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
    QList<EncodedItem> items;   ///< in archive order; empty when `error` is set
    int duplicates = 0;         ///< skipped: their image hash is in `knownHashes`
    std::optional<Error> error; ///< why reading stopped early, if it did
};

/// Reads `zipPath`; items whose image hash is in `knownHashes` are counted, not read. When
/// reading stops early (`error` set) `items` is empty: a refused archive imports nothing.
/// Refused before anything is inflated: an entry listed twice, a manifest over 8 MB or naming
/// one entry twice, pictures adding up to more than 2 GB unpacked.
ArchiveContents readGalleryArchive(const QString& zipPath, const QSet<QString>& knownHashes,
                                   const ArchiveProgress& progress = {});

/// Files what readGalleryArchive() read into `store`, all or nothing: its error (if any) is
/// returned with nothing filed; the free disk space is checked first; a write that fails
/// takes the items filed before it out again.
Result<ImportReport> fileArchiveContents(GalleryStore& store, const ArchiveContents& contents);

/// Adds every item of the archive to `store`: readGalleryArchive() + fileArchiveContents().
/// A damaged archive, a hash mismatch, an entry that is not what it claims, a duplicate or
/// an archive over the size limits stops the import with a message and imports nothing.
Result<ImportReport> importGalleryArchive(GalleryStore& store, const QString& zipPath);

} // namespace ldm::bridge
