// SPDX-License-Identifier: GPL-3.0-or-later
#include "gallery_store.h"

#include "gallery_json.h"
#include "image_io.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QStandardPaths>

#include <algorithm>
#include <utility>

namespace ldm::bridge {

namespace {

constexpr int ThumbnailSide = 256;
const QString IndexFile = QStringLiteral("index.json");

Error storeError(const QString& message)
{
    return makeError(ErrorCode::InvalidFile, message.toStdString());
}

} // namespace

GalleryStore::GalleryStore(const QString& root, QObject* parent)
    : QObject(parent)
    , m_root(root.isEmpty() ? defaultRoot() : root)
{
}

QString GalleryStore::defaultRoot()
{
    return QStandardPaths::writableLocation(QStandardPaths::AppDataLocation) +
           QStringLiteral("/gallery");
}

Result<void> GalleryStore::load()
{
    m_items.clear();
    m_loadFailed = false;
    QFile file(absolutePath(IndexFile));
    if (!file.exists()) {
        Q_EMIT changed();
        return {};
    }
    if (!file.open(QIODevice::ReadOnly)) {
        m_loadFailed = true;
        return storeError(tr("Cannot read the gallery index: %1").arg(file.errorString()));
    }
    auto items = galleryItemsFromJson(file.readAll());
    if (!items.ok()) {
        m_loadFailed = true;
        return storeError(tr("The gallery index %1 is damaged (%2). It was left untouched.")
                              .arg(file.fileName(), errorText(items.error())));
    }
    for (auto& item : items.value()) {
        // An entry whose image vanished (deleted by hand) would only show as a broken tile.
        if (QFile::exists(absolutePath(item.imageFile)))
            m_items.append(std::move(item));
    }
    Q_EMIT changed();
    return {};
}

const GalleryItem* GalleryStore::item(const QString& id) const
{
    const int i = indexOf(id);
    return i < 0 ? nullptr : &m_items[i];
}

int GalleryStore::indexOf(const QString& id) const
{
    for (int i = 0; i < m_items.size(); ++i) {
        if (m_items[i].id == id)
            return i;
    }
    return -1;
}

QString GalleryStore::absolutePath(const QString& relative) const
{
    return m_root + QLatin1Char('/') + relative;
}

bool GalleryStore::containsImageHash(const QString& sha256) const
{
    return std::any_of(m_items.begin(), m_items.end(),
                       [&](const GalleryItem& item) { return item.imageSha256 == sha256; });
}

Result<EncodedItem> GalleryStore::encodeItem(const QImage& image, const Recipe& recipe,
                                             const QImage& labelMap)
{
    ItemSources sources;
    sources.labelMap = labelMap;
    return encodeItem(image, recipe, sources);
}

Result<EncodedItem> GalleryStore::encodeItem(const QImage& image, const Recipe& recipe,
                                             const ItemSources& sources)
{
    if (image.isNull())
        return makeError(ErrorCode::InvalidRequest,
                         tr("There is no picture to save.").toStdString());
    EncodedItem item;
    item.created = QDateTime::currentDateTimeUtc();
    item.recipe = recipe;
    if (item.recipe.createdAt.empty())
        item.recipe.createdAt = item.created.toString(Qt::ISODate).toStdString();
    auto png = encodePngWithRecipe(image, item.recipe);
    if (!png.ok())
        return png.error();
    item.imagePng = png.value();
    const std::pair<const QImage*, QByteArray*> extras[] = {{&sources.labelMap, &item.mapPng},
                                                            {&sources.input, &item.inputPng},
                                                            {&sources.mask, &item.maskPng}};
    for (const auto& [source, png] : extras) {
        if (source->isNull())
            continue;
        auto encoded = encodePng(*source);
        if (!encoded.ok())
            return encoded.error();
        *png = encoded.value();
    }
    auto thumb = encodePng(
        image.scaled(ThumbnailSide, ThumbnailSide, Qt::KeepAspectRatio, Qt::SmoothTransformation));
    if (!thumb.ok())
        return thumb.error();
    item.thumbPng = thumb.value();
    return item;
}

Result<EncodedItem> GalleryStore::encodeItemFromPng(const QByteArray& imagePng,
                                                    const QByteArray& mapPng, const Recipe& recipe,
                                                    const QDateTime& created,
                                                    const QString& preferredId)
{
    auto decoded = decodeImageChecked(imagePng);
    if (!decoded.ok())
        return decoded.error();
    auto thumb = encodePng(decoded.value().scaled(ThumbnailSide, ThumbnailSide, Qt::KeepAspectRatio,
                                                  Qt::SmoothTransformation));
    if (!thumb.ok())
        return thumb.error();
    EncodedItem item;
    item.imagePng = imagePng;
    item.mapPng = mapPng;
    item.thumbPng = thumb.value();
    item.recipe = recipe;
    item.created = created.isValid() ? created.toUTC() : QDateTime::currentDateTimeUtc();
    item.preferredId = preferredId;
    return item;
}

Result<QString> GalleryStore::add(const QImage& image, const Recipe& recipe, const QImage& labelMap)
{
    auto encoded = encodeItem(image, recipe, labelMap);
    if (!encoded.ok())
        return encoded.error();
    return addItem(encoded.value());
}

Result<QString> GalleryStore::addEncoded(const QByteArray& imagePng, const QByteArray& mapPng,
                                         const Recipe& recipe, const QDateTime& created,
                                         const QString& preferredId)
{
    auto encoded = encodeItemFromPng(imagePng, mapPng, recipe, created, preferredId);
    if (!encoded.ok())
        return encoded.error();
    return addItem(encoded.value());
}

Result<QString> GalleryStore::addItem(const EncodedItem& encoded)
{
    if (m_loadFailed)
        return storeError(tr("The gallery index could not be read, so nothing is saved into it "
                             "until it is repaired or removed."));
    if (encoded.imagePng.isEmpty() || encoded.thumbPng.isEmpty())
        return storeError(tr("There is no picture to save."));
    if (auto folders = ensureFolders(); !folders.ok())
        return folders.error();

    const QDateTime when =
        encoded.created.isValid() ? encoded.created.toUTC() : QDateTime::currentDateTimeUtc();
    GalleryItem item;
    item.id = uniqueId(encoded.preferredId.isEmpty()
                           ? when.toString(QStringLiteral("yyyyMMdd-HHmmss-zzz"))
                           : encoded.preferredId);
    item.imageFile = QStringLiteral("images/%1.png").arg(item.id);
    item.thumbFile = QStringLiteral("thumbs/%1.png").arg(item.id);
    item.imageSha256 = sha256Hex(encoded.imagePng);
    item.created = when;
    item.recipe = encoded.recipe;

    if (auto r = writeFileAtomically(absolutePath(item.imageFile), encoded.imagePng); !r.ok())
        return r.error();
    if (!encoded.mapPng.isEmpty()) {
        item.mapFile = QStringLiteral("maps/%1.png").arg(item.id);
        item.mapSha256 = sha256Hex(encoded.mapPng);
        if (auto r = writeFileAtomically(absolutePath(item.mapFile), encoded.mapPng); !r.ok())
            return r.error();
    }
    if (!encoded.inputPng.isEmpty()) {
        item.inputFile = QStringLiteral("inputs/%1.png").arg(item.id);
        item.inputSha256 = sha256Hex(encoded.inputPng);
        if (auto r = writeFileAtomically(absolutePath(item.inputFile), encoded.inputPng); !r.ok())
            return r.error();
    }
    if (!encoded.maskPng.isEmpty()) {
        item.maskFile = QStringLiteral("masks/%1.png").arg(item.id);
        item.maskSha256 = sha256Hex(encoded.maskPng);
        if (auto r = writeFileAtomically(absolutePath(item.maskFile), encoded.maskPng); !r.ok())
            return r.error();
    }
    if (auto r = writeFileAtomically(absolutePath(item.thumbFile), encoded.thumbPng); !r.ok())
        return r.error();

    m_items.append(item);
    if (auto r = saveIndex(); !r.ok()) {
        m_items.removeLast();
        return r.error();
    }
    Q_EMIT changed();
    return item.id;
}

Result<void> GalleryStore::remove(const QStringList& ids)
{
    QList<GalleryItem> removed;
    QList<GalleryItem> kept;
    for (const auto& item : std::as_const(m_items))
        (ids.contains(item.id) ? removed : kept).append(item);
    if (removed.isEmpty())
        return {};
    const QList<GalleryItem> previous = std::exchange(m_items, kept);
    if (auto r = saveIndex(); !r.ok()) {
        m_items = previous;
        return r.error();
    }
    for (const auto& item : std::as_const(removed)) {
        for (const QString& file :
             {item.imageFile, item.mapFile, item.inputFile, item.maskFile, item.thumbFile}) {
            if (!file.isEmpty())
                QFile::remove(absolutePath(file));
        }
    }
    Q_EMIT changed();
    return {};
}

QString GalleryStore::uniqueId(const QString& preferred) const
{
    // Ids become file names: keep them to a safe character set whatever an archive says.
    QString base;
    for (const QChar c : preferred) {
        if (c.isLetterOrNumber() && c.unicode() < 128)
            base.append(c);
        else if (c == QLatin1Char('-') || c == QLatin1Char('_'))
            base.append(c);
    }
    if (base.isEmpty())
        base = QStringLiteral("item");
    base.truncate(64);
    QString id = base;
    for (int n = 2;
         indexOf(id) >= 0 || QFile::exists(absolutePath(QStringLiteral("images/%1.png").arg(id)));
         ++n)
        id = QStringLiteral("%1-%2").arg(base).arg(n);
    return id;
}

Result<void> GalleryStore::saveIndex() const
{
    return writeFileAtomically(absolutePath(IndexFile), galleryItemsToJson(m_items));
}

Result<void> GalleryStore::ensureFolders() const
{
    QDir dir(m_root);
    for (const char* sub : {"images", "maps", "inputs", "masks", "thumbs"}) {
        if (!dir.mkpath(QString::fromLatin1(sub)))
            return storeError(tr("Cannot create the gallery folder %1.")
                                  .arg(dir.filePath(QString::fromLatin1(sub))));
    }
    return {};
}

} // namespace ldm::bridge
