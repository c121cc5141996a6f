// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "bridge/recipe_metatype.h"

#include <QWidget>

class QLabel;
class QListView;
class QPushButton;
class QTextBrowser;

namespace ldm::bridge {
class GalleryStore;
} // namespace ldm::bridge

namespace ldm::ui {

class GalleryModel;

/// The Gallery activity: thumbnails (multi-select), the selected item's full recipe, and
/// restore / copy / save / delete / export / import.
class GalleryView final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(GalleryView)

public:
    explicit GalleryView(bridge::GalleryStore* store, QWidget* parent = nullptr);

    /// Ids of the selected items, newest first.
    QStringList selectedIds() const;
    void selectId(const QString& id);

public Q_SLOTS:
    void importArchive();
    void exportSelected();
    void exportAll();
    /// Opens the selected item's picture on the Edit page (editRequested).
    void editSelected();

Q_SIGNALS:
    /// "Restore settings": fill the Prompt or Paint controls; `mapPath` is "" without a map.
    void restoreRequested(const ldm::Recipe& recipe, const QString& mapPath);
    /// "Restore settings" on an edit (img2img, inpaint, outpaint): the picture it started from
    /// and its mask come back too; a path is "" when the item has no such file.
    void restoreEditRequested(const ldm::Recipe& recipe, const QString& inputPath,
                              const QString& maskPath);
    /// "Edit": open the item's picture on the Edit page, with the recipe it was made with.
    void editRequested(const QImage& picture, const ldm::Recipe& recipe);
    void statusMessage(const QString& text);

private:
    void updateDetails();
    void restoreSelected();
    void copyImage();
    void copyParameters();
    void saveAs();
    void deleteSelected();
    void exportIds(const QStringList& ids);

    bridge::GalleryStore* m_store;
    GalleryModel* m_model;
    QListView* m_list;
    QLabel* m_image;
    QTextBrowser* m_details;
    QLabel* m_count;
    QList<QPushButton*> m_itemButtons; ///< need exactly one selected item
    QPushButton* m_deleteButton;
};

} // namespace ldm::ui
