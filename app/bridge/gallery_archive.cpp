// SPDX-License-Identifier: GPL-3.0-or-later
#include "gallery_archive.h"

#include "gallery_json.h"
#include "image_io.h"

#include <QCoreApplication>
#include <QFile>
#include <QFileInfo>
#include <QTemporaryFile>

#include <quazip.h>
#include <quazipfile.h>
#include <quazipfileinfo.h>
#include <quazipnewinfo.h>

#include <cstdio>
#include <tuple>

namespace ldm::bridge {

namespace {

const QString ManifestName = QStringLiteral("gallery.json");
constexpr quint64 MaxManifestBytes = 64ull << 20;
constexpr quint64 MaxEntryBytes = 512ull << 20; // refuses zip bombs before inflating them

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
    QuaZip zip(zipPath);
    if (!zip.open(QuaZip::mdUnzip)) {
        contents.error = archiveError(Text::tr("%1 is not a zip archive or cannot be read.")
                                          .arg(QFileInfo(zipPath).fileName()));
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
    QSet<QString> seen = knownHashes; // an archive listing one picture twice imports it once
    const int total = static_cast<int>(manifest->size());
    int done = 0;
    for (const auto& item : std::as_const(manifest.value())) {
        if (progress && !progress(done++, total)) {
            contents.error = cancelledError();
            return contents;
        }
        if (seen.contains(item.imageSha256)) {
            ++contents.duplicates;
            continue;
        }
        auto png = readVerified(zip, item.imageFile, item.imageSha256);
        if (!png.ok()) {
            contents.error = png.error();
            return contents;
        }
        QByteArray mapPng, inputPng, maskPng;
        const std::tuple<const QString&, const QString&, QByteArray&> extras[] = {
            {item.mapFile, item.mapSha256, mapPng},
            {item.inputFile, item.inputSha256, inputPng},
            {item.maskFile, item.maskSha256, maskPng}};
        for (const auto& [file, sha256, bytes] : extras) {
            if (file.isEmpty())
                continue;
            auto read = readVerified(zip, file, sha256);
            if (!read.ok()) {
                contents.error = read.error();
                return contents;
            }
            bytes = read.value();
        }
        auto encoded = GalleryStore::encodeItemFromPng(png.value(), mapPng, item.recipe,
                                                       item.created, item.id);
        if (!encoded.ok()) {
            contents.error = encoded.error();
            return contents;
        }
        encoded->inputPng = inputPng;
        encoded->maskPng = maskPng;
        seen.insert(item.imageSha256);
        contents.items.append(encoded.value());
    }
    if (progress)
        progress(total, total);
    return contents;
}

Result<ImportReport> importGalleryArchive(GalleryStore& store, const QString& zipPath)
{
    QSet<QString> known;
    for (const auto& item : store.items())
        known.insert(item.imageSha256);
    const ArchiveContents contents = readGalleryArchive(zipPath, known);
    ImportReport report;
    report.duplicates = contents.duplicates;
    for (const auto& item : contents.items) {
        auto added = store.addItem(item);
        if (!added.ok())
            return added.error();
        ++report.imported;
    }
    if (contents.error)
        return *contents.error;
    return report;
}

} // namespace ldm::bridge
