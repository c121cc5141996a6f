// SPDX-License-Identifier: GPL-3.0-or-later
#include "gallery_archive.h"

#include "gallery_json.h"
#include "image_io.h"
#include "label_map_io.h"

#include <QCoreApplication>
#include <QFile>
#include <QFileInfo>
#include <QHash>
#include <QStorageInfo>
#include <QTemporaryFile>

#include <quazip.h>
#include <quazipfile.h>
#include <quazipfileinfo.h>
#include <quazipnewinfo.h>

#include <cstdio>
#include <tuple>
#include <utility>

namespace ldm::bridge {

namespace {

const QString ManifestName = QStringLiteral("gallery.json");
// An item's manifest entry is about 1-2 KB, so 8 MB lists several thousand pictures.
constexpr quint64 MaxManifestBytes = 8ull << 20;
constexpr quint64 MaxEntryBytes = 512ull << 20; // refuses zip bombs before inflating them
// Everything an import reads is held in memory until it is filed, so the total is bounded too
// (checked from the zip's directory, before anything is inflated).
constexpr quint64 MaxImportBytes = 2ull << 30;
// Room left free on the gallery's disk after an import.
constexpr qint64 DiskReserveBytes = 64ll << 20;

// Free functions translate through this; lupdate reads the context from it.
struct Text
{
    Q_DECLARE_TR_FUNCTIONS(ldm::bridge::GalleryArchive)
};

Error archiveError(const QString& message)
{
    return makeError(ErrorCode::InvalidFile, message.toStdString());
}

bool writeEntry(QuaZip& zip, const QString& name, const QByteArray& bytes, const QDateTime& time)
{
    QuaZipNewInfo info(name);
    info.dateTime = time.toLocalTime();
    info.setPermissions(QFile::ReadOwner | QFile::WriteOwner | QFile::ReadGroup | QFile::ReadOther);
    QuaZipFile file(&zip);
    // PNG data is already deflated; the fastest level saves time and loses almost nothing.
    if (!file.open(QIODevice::WriteOnly, info, nullptr, 0, Z_DEFLATED, Z_BEST_SPEED))
        return false;
    const bool written = file.write(bytes) == bytes.size();
    file.close();
    return written && file.getZipError() == ZIP_OK;
}

Result<QByteArray> readEntry(QuaZip& zip, const QString& name, quint64 limit)
{
    if (!zip.setCurrentFile(name))
        return archiveError(Text::tr("The archive has no entry %1.").arg(name));
    QuaZipFileInfo64 info;
    if (!zip.getCurrentFileInfo(&info) || info.uncompressedSize > limit)
        return archiveError(Text::tr("The archive entry %1 is too large or damaged.").arg(name));
    QuaZipFile file(&zip);
    if (!file.open(QIODevice::ReadOnly))
        return archiveError(Text::tr("Cannot open the archive entry %1.").arg(name));
    QByteArray bytes = file.read(static_cast<qint64>(info.uncompressedSize) + 1);
    file.close();
    // close() checks the CRC: a corrupt entry fails here rather than importing garbage.
    if (file.getZipError() != UNZ_OK || static_cast<quint64>(bytes.size()) != info.uncompressedSize)
        return archiveError(Text::tr("The archive entry %1 is damaged.").arg(name));
    return bytes;
}

Result<QByteArray> readVerified(QuaZip& zip, const QString& name, const QString& sha256)
{
    auto bytes = readEntry(zip, name, MaxEntryBytes);
    if (bytes.ok() && sha256Hex(bytes.value()) != sha256)
        return archiveError(
            Text::tr("The archive entry %1 does not match its recorded hash.").arg(name));
    return bytes;
}

Result<QByteArray> readStoreFile(const QString& root, const QString& relative)
{
    QFile file(root + QLatin1Char('/') + relative);
    if (!file.open(QIODevice::ReadOnly))
        return archiveError(
            Text::tr("Cannot read %1: %2").arg(file.fileName(), file.errorString()));
    return file.readAll();
}

Error cancelledError()
{
    return makeError(ErrorCode::Cancelled, Text::tr("Cancelled.").toStdString());
}

QString megabytes(quint64 bytes)
{
    return QString::number(static_cast<double>(bytes) / (1 << 20), 'f', 0);
}

/// Each entry's uncompressed size by name, from the zip's directory; an entry listed twice is
/// refused (which of two same-named entries is read would be the zip library's choice).
Result<QHash<QString, quint64>> entrySizes(QuaZip& zip)
{
    QHash<QString, quint64> sizes;
    const QList<QuaZipFileInfo64> entries = zip.getFileInfoList64();
    if (zip.getZipError() != UNZ_OK)
        return archiveError(Text::tr("The archive's directory is damaged."));
    for (const auto& entry : entries) {
        if (sizes.contains(entry.name))
            return archiveError(Text::tr("The archive lists the entry %1 twice.").arg(entry.name));
        sizes.insert(entry.name, entry.uncompressedSize);
    }
    return sizes;
}

QStringList filesOf(const GalleryItem& item)
{
    QStringList files{item.imageFile};
    for (const QString& extra : {item.mapFile, item.inputFile, item.maskFile})
        if (!extra.isEmpty())
            files.append(extra);
    return files;
}

/// Refuses a manifest that names one entry for two files (six pictures made of one 500 MB
/// entry would cost 3 GB), names entries the zip lacks, or adds up to more than the import
/// limit, before anything is inflated.
Result<void> checkManifestEntries(const QList<GalleryItem>& items,
                                  const QHash<QString, quint64>& sizes,
                                  const QSet<QString>& knownHashes)
{
    QSet<QString> named;
    quint64 total = 0;
    for (const auto& item : items) {
        const bool skipped = knownHashes.contains(item.imageSha256);
        for (const QString& file : filesOf(item)) {
            if (named.contains(file))
                return archiveError(
                    Text::tr("The gallery.json names the entry %1 more than once.").arg(file));
            named.insert(file);
            const auto size = sizes.constFind(file);
            if (size == sizes.constEnd())
                return archiveError(Text::tr("The archive has no entry %1.").arg(file));
            if (!skipped)
                total += *size;
        }
    }
    if (total > MaxImportBytes)
        return archiveError(Text::tr("The archive's pictures add up to %1 MB unpacked; an import "
                                     "reads at most %2 MB. Export it in smaller parts.")
                                .arg(megabytes(total), megabytes(MaxImportBytes)));
    return {};
}

/// A label map as the gallery stores it: an 8-bit image of class ids (indexed or grayscale).
Result<void> checkMapPng(const QByteArray& png, const QString& name)
{
    auto map = decodeImageChecked(png);
    if (!map.ok())
        return archiveError(Text::tr("The map %1 is not a readable image.").arg(name));
    const QImage::Format format = map->format();
    if ((format != QImage::Format_Indexed8 && format != QImage::Format_Grayscale8) ||
        map->width() > LabelMapMaxSide || map->height() > LabelMapMaxSide)
        return archiveError(Text::tr("The map %1 is not a label map (8-bit class ids, at most "
                                     "%2 pixels a side).")
                                .arg(name)
                                .arg(LabelMapMaxSide));
    return {};
}

} // namespace

Result<void> exportGalleryArchive(const GalleryStore& store, const QStringList& ids,
                                  const QString& zipPath)
{
    QList<GalleryItem> items;
    for (const auto& item : store.items()) {
        if (ids.isEmpty() || ids.contains(item.id))
            items.append(item);
    }
    return exportGalleryItems(store.root(), items, zipPath);
}

Result<void> exportGalleryItems(const QString& root, const QList<GalleryItem>& items,
                                const QString& zipPath, const ArchiveProgress& progress)
{
    if (items.isEmpty())
        return archiveError(Text::tr("There is nothing to export."));

    // Written next to the target and renamed over it: a failed export leaves no half zip.
    QTemporaryFile temp(QFileInfo(zipPath).absolutePath() + QStringLiteral("/.export-XXXXXX"));
    if (!temp.open())
        return archiveError(Text::tr("Cannot write to %1: %2").arg(zipPath, temp.errorString()));
    temp.close();

    QuaZip zip(temp.fileName());
    if (!zip.open(QuaZip::mdCreate))
        return archiveError(Text::tr("Cannot create the archive %1.").arg(zipPath));
    QList<GalleryItem> manifest;
    const int total = static_cast<int>(items.size());
    for (const auto& item : std::as_const(items)) {
        GalleryItem entry = item;
        entry.thumbFile.clear(); // thumbnails are rebuilt on import
        auto png = readStoreFile(root, item.imageFile);
        if (!png.ok())
            return png.error();
        if (!writeEntry(zip, item.imageFile, png.value(), item.created))
            return archiveError(Text::tr("Cannot write the archive %1.").arg(zipPath));
        for (const QString& extra : {item.mapFile, item.inputFile, item.maskFile}) {
            if (extra.isEmpty())
                continue;
            auto bytes = readStoreFile(root, extra);
            if (!bytes.ok())
                return bytes.error();
            if (!writeEntry(zip, extra, bytes.value(), item.created))
                return archiveError(Text::tr("Cannot write the archive %1.").arg(zipPath));
        }
        manifest.append(entry);
        if (progress && !progress(static_cast<int>(manifest.size()), total))
            return cancelledError(); // the temporary file goes with `temp`
    }
    if (!writeEntry(zip, ManifestName, galleryItemsToJson(manifest),
                    QDateTime::currentDateTimeUtc()))
        return archiveError(Text::tr("Cannot write the archive %1.").arg(zipPath));
    zip.close();
    if (zip.getZipError() != ZIP_OK)
        return archiveError(Text::tr("Cannot write the archive %1.").arg(zipPath));
    if (std::rename(QFile::encodeName(temp.fileName()).constData(),
                    QFile::encodeName(zipPath).constData()) != 0)
        return archiveError(Text::tr("Cannot write the archive %1.").arg(zipPath));
    temp.setAutoRemove(false);
    return {};
}

ArchiveContents readGalleryArchive(const QString& zipPath, const QSet<QString>& knownHashes,
                                   const ArchiveProgress& progress)
{
    ArchiveContents contents;
    // A FIFO or device named .zip is refused here instead of blocking the import.
    QFile archive;
    if (auto opened = openRegularFile(zipPath, archive); !opened.ok()) {
        // stat() says whether something is there without opening it (which could block).
        contents.error = QFileInfo::exists(zipPath)
                             ? opened.error()
                             : archiveError(Text::tr("%1 is not a zip archive or cannot be read.")
                                                .arg(QFileInfo(zipPath).fileName()));
        return contents;
    }
    QuaZip zip(&archive);
    if (!zip.open(QuaZip::mdUnzip)) {
        contents.error = archiveError(Text::tr("%1 is not a zip archive or cannot be read.")
                                          .arg(QFileInfo(zipPath).fileName()));
        return contents;
    }
    auto sizes = entrySizes(zip);
    if (!sizes.ok()) {
        contents.error = sizes.error();
        return contents;
    }
    if (sizes->value(ManifestName) > MaxManifestBytes) {
        contents.error = archiveError(Text::tr("The gallery.json in %1 is %2 MB; a gallery "
                                               "manifest is at most %3 MB.")
                                          .arg(QFileInfo(zipPath).fileName(),
                                               megabytes(sizes->value(ManifestName)),
                                               megabytes(MaxManifestBytes)));
        return contents;
    }
    auto manifestBytes = readEntry(zip, ManifestName, MaxManifestBytes);
    if (!manifestBytes.ok()) {
        contents.error =
            archiveError(Text::tr("%1 is not a Latent Canvas gallery archive (no gallery.json).")
                             .arg(QFileInfo(zipPath).fileName()));
        return contents;
    }
    auto manifest = galleryItemsFromJson(manifestBytes.value());
    if (!manifest.ok()) {
        contents.error =
            archiveError(Text::tr("The gallery.json in %1 is damaged: %2")
                             .arg(QFileInfo(zipPath).fileName(), errorText(manifest.error())));
        return contents;
    }
    if (auto entries = checkManifestEntries(manifest.value(), sizes.value(), knownHashes);
        !entries.ok()) {
        contents.error = entries.error();
        return contents;
    }
    // All or nothing: whatever stops the reading (damage, a refused entry, cancelling) leaves
    // no items to file, so a refused archive imports nothing.
    const auto stop = [&contents](const Error& error) {
        contents.items.clear();
        contents.duplicates = 0;
        contents.error = error;
        return contents;
    };
    QSet<QString> seen = knownHashes; // an archive listing one picture twice imports it once
    const int total = static_cast<int>(manifest->size());
    int done = 0;
    for (const auto& item : std::as_const(manifest.value())) {
        if (progress && !progress(done++, total))
            return stop(cancelledError());
        if (seen.contains(item.imageSha256)) {
            ++contents.duplicates;
            continue;
        }
        auto png = readVerified(zip, item.imageFile, item.imageSha256);
        if (!png.ok())
            return stop(png.error());
        QByteArray mapPng, inputPng, maskPng;
        const std::tuple<const QString&, const QString&, QByteArray&> extras[] = {
            {item.mapFile, item.mapSha256, mapPng},
            {item.inputFile, item.inputSha256, inputPng},
            {item.maskFile, item.maskSha256, maskPng}};
        for (const auto& [file, sha256, bytes] : extras) {
            if (file.isEmpty())
                continue;
            auto read = readVerified(zip, file, sha256);
            if (!read.ok())
                return stop(read.error());
            bytes = read.value();
        }
        if (!mapPng.isEmpty()) {
            if (auto map = checkMapPng(mapPng, item.mapFile); !map.ok())
                return stop(map.error());
        }
        for (const auto& [file, bytes] : {std::pair{item.inputFile, inputPng},
                                          std::pair{item.maskFile, maskPng}}) {
            if (!bytes.isEmpty() && !decodeImageChecked(bytes).ok())
                return stop(
                    archiveError(Text::tr("The entry %1 is not a readable image.").arg(file)));
        }
        auto encoded = GalleryStore::encodeItemFromPng(png.value(), mapPng, item.recipe,
                                                       item.created, item.id);
        if (!encoded.ok())
            return stop(encoded.error());
        encoded->inputPng = inputPng;
        encoded->maskPng = maskPng;
        seen.insert(item.imageSha256);
        contents.items.append(encoded.value());
    }
    if (progress)
        progress(total, total);
    return contents;
}

Result<ImportReport> fileArchiveContents(GalleryStore& store, const ArchiveContents& contents)
{
    if (contents.error)
        return *contents.error;
    qint64 needed = DiskReserveBytes;
    for (const auto& item : contents.items)
        needed += item.imagePng.size() + item.mapPng.size() + item.inputPng.size() +
                  item.maskPng.size() + item.thumbPng.size();
    const QStorageInfo disk(store.root());
    if (disk.isValid() && disk.bytesAvailable() >= 0 && disk.bytesAvailable() < needed)
        return makeError(ErrorCode::InvalidRequest,
                         Text::tr("Not enough free disk space for the import: it needs %1 MB, "
                                  "%2 MB are free.")
                             .arg(megabytes(quint64(needed)),
                                  megabytes(quint64(disk.bytesAvailable())))
                             .toStdString());
    ImportReport report;
    report.duplicates = contents.duplicates;
    QStringList added;
    for (const auto& item : contents.items) {
        auto id = store.addItem(item);
        if (!id.ok()) {
            (void)store.remove(added); // all or nothing: the items filed so far go again
            return id.error();
        }
        added.append(id.value());
        ++report.imported;
    }
    return report;
}

Result<ImportReport> importGalleryArchive(GalleryStore& store, const QString& zipPath)
{
    QSet<QString> known;
    for (const auto& item : store.items())
        known.insert(item.imageSha256);
    return fileArchiveContents(store, readGalleryArchive(zipPath, known));
}

} // namespace ldm::bridge
