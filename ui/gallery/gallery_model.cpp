// SPDX-License-Identifier: GPL-3.0-or-later
#include "gallery_model.h"

#include "bridge/gallery_store.h"

#include <QIcon>
#include <QImageReader>

namespace ldm::ui {

GalleryModel::GalleryModel(bridge::GalleryStore* store, QObject* parent)
    : QAbstractListModel(parent)
    , m_store(store)
{
    connect(store, &bridge::GalleryStore::changed, this, [this] {
        beginResetModel();
        endResetModel();
    });
}

int GalleryModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_store->items().size());
}

const bridge::GalleryItem* GalleryModel::itemAt(int row) const
{
    const auto& items = m_store->items();
    if (row < 0 || row >= items.size())
        return nullptr;
    return &items[items.size() - 1 - row]; // newest first
}

QModelIndex GalleryModel::indexOfId(const QString& id) const
{
    const int i = m_store->indexOf(id);
    return i < 0 ? QModelIndex() : index(static_cast<int>(m_store->items().size()) - 1 - i);
}

QPixmap GalleryModel::thumbnail(const bridge::GalleryItem& item) const
{
    if (const QPixmap* cached = m_thumbnails.object(item.id))
        return *cached;
    QImageReader reader(m_store->absolutePath(item.thumbFile));
    auto* pixmap = new QPixmap(QPixmap::fromImage(reader.read()));
    const QPixmap copy = *pixmap;
    m_thumbnails.insert(item.id, pixmap);
    return copy;
}

QVariant GalleryModel::data(const QModelIndex& index, int role) const
{
    const bridge::GalleryItem* item = itemAt(index.row());
    if (!item)
        return {};
    switch (role) {
    case Qt::DisplayRole: {
        const QString prompt = QString::fromStdString(item->recipe.prompt).simplified();
        if (!prompt.isEmpty())
            return prompt;
        // No prompt (maps, upscales): say what it is in the user's words, not the task id.
        if (item->recipe.task == "paint")
            return tr("Painted map · seed %1").arg(item->recipe.seed);
        if (item->recipe.task == "upscale")
            return tr("Upscaled · seed %1").arg(item->recipe.seed);
        if (item->recipe.task == "img2img" || item->recipe.task == "inpaint" ||
            item->recipe.task == "outpaint")
            return tr("Edited picture · seed %1").arg(item->recipe.seed);
        return QString::fromStdString(item->recipe.task);
    }
    case Qt::DecorationRole:
        // An icon, not the pixmap: the view then fits it to its icon size keeping the aspect
        // ratio (a bare pixmap is drawn at its own 256 px and cropped by the grid cell).
        return QIcon(thumbnail(*item));
    case Qt::ToolTipRole:
        return tr("%1\nSeed %2 · %3 × %4 · %5")
            .arg(QString::fromStdString(item->recipe.prompt))
            .arg(item->recipe.seed)
            .arg(item->recipe.width)
            .arg(item->recipe.height)
            .arg(QLocale().toString(item->created.toLocalTime(), QLocale::ShortFormat));
    case IdRole:
        return item->id;
    default:
        return {};
    }
}

} // namespace ldm::ui
