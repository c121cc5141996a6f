// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "ldm/recipe.h"
#include "ldm/result.h"

#include <QDateTime>
#include <QImage>
#include <QList>
#include <QObject>
#include <QString>

namespace ldm::bridge {

/// One saved result. Paths are relative to the store's root.
struct GalleryItem
{
    QString id;          ///< unique, also the file stem ("20240501-120000-123")
    QString imageFile;   ///< "images/<id>.png", with `parameters` and `latent-canvas` chunks
    QString mapFile;     ///< "maps/<id>.png" (indexed label map) or empty
    QString inputFile;   ///< "inputs/<id>.png": the picture an edit started from, or empty
    QString maskFile;    ///< "masks/<id>.png": the inpainting mask (white = filled), or empty
    QString thumbFile;   ///< "thumbs/<id>.png"
    QString imageSha256; ///< of the PNG bytes as stored
    QString mapSha256;   ///< of the map PNG bytes, or empty
    QString inputSha256; ///< of the input PNG bytes, or empty
    QString maskSha256;  ///< of the mask PNG bytes, or empty
    QDateTime created;   ///< UTC
    Recipe recipe;
};

/// The pictures a result was made from, kept with it so "restore" brings them back.
struct ItemSources
{
    QImage labelMap; ///< paint: the indexed label map
    QImage input;    ///< img2img, inpaint: the picture that was edited
    QImage mask;     ///< inpaint: the mask, white = filled
};

/// A result encoded and thumbnailed, ready to be filed by GalleryStore::addItem(). Encoding is
/// the slow part of saving (PNG deflate, thumbnail scaling), so it is made off the GUI thread.
struct EncodedItem
{
    QByteArray imagePng; ///< with the recipe chunks
    QByteArray mapPng;   ///< indexed label map, or empty
    QByteArray inputPng; ///< edited picture, or empty
    QByteArray maskPng;  ///< inpainting mask, or empty
    QByteArray thumbPng;
    Recipe recipe;
    QDateTime created; ///< UTC
    QString preferredId;
};

/// The gallery on disk: a folder with images/, maps/, inputs/, masks/, thumbs/ and index.json.
///
/// Every file is written with QSaveFile (temp file + rename), and the index is written after
/// the files it names and before files are deleted, so a crash leaves at worst an unlisted
/// file, never an entry without its image. Not thread-safe: use from one thread.
class GalleryStore final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(GalleryStore)

public:
    /// `root` empty = defaultRoot(). Call load() before use.
    explicit GalleryStore(const QString& root = {}, QObject* parent = nullptr);

    /// QStandardPaths::AppDataLocation + "/gallery".
    static QString defaultRoot();
    QString root() const { return m_root; }

    /// Reads index.json. A missing index is an empty gallery; a corrupt one is an error (and
    /// the gallery stays empty rather than overwriting it).
    Result<void> load();

    const QList<GalleryItem>& items() const { return m_items; }
    const GalleryItem* item(const QString& id) const;
    int indexOf(const QString& id) const;
    QString absolutePath(const QString& relative) const;
    bool containsImageHash(const QString& sha256) const;

    /// Encodes a new result (PNG with recipe chunks, optional map, thumbnail). Touches no
    /// store, so it may run on any thread.
    static Result<EncodedItem> encodeItem(const QImage& image, const Recipe& recipe,
                                          const QImage& labelMap = {});
    /// The same with every source picture the result was made from.
    static Result<EncodedItem> encodeItem(const QImage& image, const Recipe& recipe,
                                          const ItemSources& sources);
    /// Checks already-encoded PNG bytes and makes the thumbnail; the bytes stay unchanged
    /// (imports keep files byte-identical). Any thread.
    static Result<EncodedItem> encodeItemFromPng(const QByteArray& imagePng,
                                                 const QByteArray& mapPng, const Recipe& recipe,
                                                 const QDateTime& created,
                                                 const QString& preferredId = {});
    /// Files an encoded item: writes its files, then the index. Returns the new id.
    Result<QString> addItem(const EncodedItem& item);

    /// encodeItem() + addItem() on the calling thread. Returns the new id.
    Result<QString> add(const QImage& image, const Recipe& recipe, const QImage& labelMap = {});
    /// encodeItemFromPng() + addItem() on the calling thread.
    Result<QString> addEncoded(const QByteArray& imagePng, const QByteArray& mapPng,
                               const Recipe& recipe, const QDateTime& created,
                               const QString& preferredId = {});
    /// Removes items and their files.
    Result<void> remove(const QStringList& ids);

Q_SIGNALS:
    void changed();

private:
    QString uniqueId(const QString& preferred) const;
    Result<void> saveIndex() const;
    Result<void> ensureFolders() const;

    QString m_root;
    QList<GalleryItem> m_items;
    bool m_loadFailed = false;
};

} // namespace ldm::bridge
