// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QAbstractListModel>
#include <QCache>
#include <QPixmap>

namespace ldm::bridge {
class GalleryStore;
struct GalleryItem;
} // namespace ldm::bridge

namespace ldm::ui {

/// The gallery as a list, newest first. Thumbnails load when first shown and stay cached.
class GalleryModel final : public QAbstractListModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(GalleryModel)

public:
    enum Role { IdRole = Qt::UserRole + 1 };

    explicit GalleryModel(bridge::GalleryStore* store, QObject* parent = nullptr);

    int rowCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role) const override;

    const bridge::GalleryItem* itemAt(int row) const;
    QModelIndex indexOfId(const QString& id) const;

private:
    QPixmap thumbnail(const bridge::GalleryItem& item) const;

    bridge::GalleryStore* m_store;
    mutable QCache<QString, QPixmap> m_thumbnails{400};
};

} // namespace ldm::ui
