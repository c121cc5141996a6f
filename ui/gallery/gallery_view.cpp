// SPDX-License-Identifier: GPL-3.0-or-later
#include "gallery_view.h"

#include "bridge/gallery_archive.h"
#include "bridge/gallery_store.h"
#include "bridge/image_io.h"
#include "gallery_list_view.h"
#include "gallery_model.h"
#include "recipe_text.h"
#include "widgets/background_task.h"

#include <QApplication>
#include <QClipboard>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QListView>
#include <QMessageBox>
#include <QPushButton>
#include <QSplitter>
#include <QStandardPaths>
#include <QTextBrowser>
#include <QVBoxLayout>

#include <algorithm>

namespace ldm::ui {

GalleryView::GalleryView(bridge::GalleryStore* store, QWidget* parent)
    : QWidget(parent)
    , m_store(store)
    , m_model(new GalleryModel(store, this))
    , m_list(new GalleryListView(this))
    , m_image(new QLabel(this))
    , m_details(new QTextBrowser(this))
    , m_count(new QLabel(this))
{
    m_list->setModel(m_model);
    m_list->setViewMode(QListView::IconMode);
    m_list->setIconSize(QSize(160, 160));
    m_list->setGridSize(QSize(184, 210));
    m_list->setResizeMode(QListView::Adjust);
    m_list->setMovement(QListView::Static);
    m_list->setUniformItemSizes(true);
    m_list->setWordWrap(true);
    m_list->setTextElideMode(Qt::ElideRight);
    m_list->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_list->setSpacing(4);

    auto* importButton = new QPushButton(tr("Import Zip…"), this);
    auto* exportSelectedButton = new QPushButton(tr("Export Selected…"), this);
    auto* exportAllButton = new QPushButton(tr("Export All…"), this);
    connect(importButton, &QPushButton::clicked, this, &GalleryView::importArchive);
    connect(exportSelectedButton, &QPushButton::clicked, this, &GalleryView::exportSelected);
    connect(exportAllButton, &QPushButton::clicked, this, &GalleryView::exportAll);
    auto* topRow = new QHBoxLayout;
    topRow->addWidget(m_count);
    topRow->addStretch();
    topRow->addWidget(importButton);
    topRow->addWidget(exportSelectedButton);
    topRow->addWidget(exportAllButton);

    m_image->setAlignment(Qt::AlignCenter);
    // Low enough that the page fits an 800 × 600 window beside the menu, Jobs dock and status bar.
    m_image->setMinimumSize(240, 120);
    m_image->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Ignored);
    m_details->setOpenLinks(false);
    const auto addButton = [this](const QString& text, void (GalleryView::*slot)()) {
        auto* button = new QPushButton(text, this);
        connect(button, &QPushButton::clicked, this, slot);
        m_itemButtons.append(button);
        return button;
    };
    m_deleteButton = new QPushButton(tr("Delete"), this);
    connect(m_deleteButton, &QPushButton::clicked, this, &GalleryView::deleteSelected);
    auto* buttons = new QGridLayout;
    buttons->addWidget(addButton(tr("Restore Settings"), &GalleryView::restoreSelected), 0, 0);
    buttons->addWidget(addButton(tr("Copy Image"), &GalleryView::copyImage), 0, 1);
    buttons->addWidget(addButton(tr("Copy Parameters"), &GalleryView::copyParameters), 0, 2);
    buttons->addWidget(addButton(tr("Save As…"), &GalleryView::saveAs), 1, 0);
    buttons->addWidget(m_deleteButton, 1, 1);
    buttons->addWidget(addButton(tr("Edit Picture"), &GalleryView::editSelected), 1, 2);

    auto* detailPane = new QWidget(this);
    auto* detailColumn = new QVBoxLayout(detailPane);
    detailColumn->setContentsMargins(0, 0, 0, 0);
    detailColumn->addWidget(m_image, 3);
    detailColumn->addWidget(m_details, 2);
    detailColumn->addLayout(buttons);

    auto* splitter = new QSplitter(Qt::Horizontal, this);
    splitter->addWidget(m_list);
    splitter->addWidget(detailPane);
    splitter->setStretchFactor(0, 3);
    splitter->setStretchFactor(1, 2);
    splitter->setChildrenCollapsible(false);
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(topRow);
    layout->addWidget(splitter, 1);

    connect(m_list->selectionModel(), &QItemSelectionModel::selectionChanged, this,
            &GalleryView::updateDetails);
    connect(m_model, &QAbstractItemModel::modelReset, this, &GalleryView::updateDetails);
    auto* deleteAction = new QAction(this);
    deleteAction->setShortcut(QKeySequence::Delete);
    deleteAction->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    connect(deleteAction, &QAction::triggered, this, &GalleryView::deleteSelected);
    m_list->addAction(deleteAction);
    updateDetails();
}

QStringList GalleryView::selectedIds() const
{
    QModelIndexList rows = m_list->selectionModel()->selectedIndexes();
    std::sort(rows.begin(), rows.end());
    QStringList ids;
    for (const QModelIndex& index : std::as_const(rows))
        ids << index.data(GalleryModel::IdRole).toString();
    return ids;
}

void GalleryView::selectId(const QString& id)
{
    const QModelIndex index = m_model->indexOfId(id);
    if (index.isValid())
        m_list->setCurrentIndex(index);
}

void GalleryView::updateDetails()
{
    m_count->setText(tr("%n picture(s)", nullptr, m_model->rowCount()));
    const QStringList ids = selectedIds();
    const auto* item = ids.size() == 1 ? m_store->item(ids.first()) : nullptr;
    for (QPushButton* button : std::as_const(m_itemButtons))
        button->setEnabled(item != nullptr);
    m_deleteButton->setEnabled(!ids.isEmpty());
    if (!item) {
        m_image->setPixmap(QPixmap());
        m_image->setText(ids.isEmpty() ? tr("Select a picture to see how it was made.")
                                       : tr("%n pictures selected", nullptr, ids.size()));
        m_details->clear();
        return;
    }
    const QPixmap pixmap(m_store->absolutePath(item->imageFile));
    m_image->setPixmap(
        pixmap.scaled(m_image->size(), Qt::KeepAspectRatio, Qt::SmoothTransformation));
    m_details->setHtml(recipeHtml(item->recipe));
}

void GalleryView::restoreSelected()
{
    const QStringList ids = selectedIds();
    const auto* item = ids.isEmpty() ? nullptr : m_store->item(ids.first());
    if (!item)
        return;
    const auto path = [this](const QString& file) {
        return file.isEmpty() ? QString() : m_store->absolutePath(file);
    };
    if (item->recipe.task == "img2img" || item->recipe.task == "inpaint" ||
        item->recipe.task == "outpaint")
        Q_EMIT restoreEditRequested(item->recipe, path(item->inputFile), path(item->maskFile));
    else
        Q_EMIT restoreRequested(item->recipe, path(item->mapFile));
}

void GalleryView::editSelected()
{
    const QStringList ids = selectedIds();
    if (const auto* item = ids.isEmpty() ? nullptr : m_store->item(ids.first())) {
        auto picture = bridge::readImageChecked(m_store->absolutePath(item->imageFile));
        if (!picture.ok()) {
            QMessageBox::warning(this, tr("Cannot Edit Picture"),
                                 bridge::errorText(picture.error()));
            return;
        }
        Q_EMIT editRequested(picture.value(), item->recipe);
    }
}

void GalleryView::copyImage()
{
    const QStringList ids = selectedIds();
    if (const auto* item = ids.isEmpty() ? nullptr : m_store->item(ids.first()))
        QApplication::clipboard()->setImage(QImage(m_store->absolutePath(item->imageFile)));
}

void GalleryView::copyParameters()
{
    const QStringList ids = selectedIds();
    if (const auto* item = ids.isEmpty() ? nullptr : m_store->item(ids.first()))
        QApplication::clipboard()->setText(QString::fromStdString(toA1111Parameters(item->recipe)));
}

void GalleryView::saveAs()
{
    const QStringList ids = selectedIds();
    const auto* item = ids.isEmpty() ? nullptr : m_store->item(ids.first());
    if (!item)
        return;
    const QString path = QFileDialog::getSaveFileName(
        this, tr("Save Picture"),
        QStandardPaths::writableLocation(QStandardPaths::PicturesLocation) + QLatin1Char('/') +
            item->id + QStringLiteral(".png"),
        tr("PNG image (*.png)"));
    if (path.isEmpty())
        return;
    // Copy the stored bytes: the saved file keeps its recipe chunks and stays identical.
    QFile source(m_store->absolutePath(item->imageFile));
    const auto written =
        source.open(QIODevice::ReadOnly)
            ? bridge::writeFileAtomically(path, source.readAll())
            : Result<void>(makeError(ErrorCode::InvalidFile, source.errorString().toStdString()));
    if (!written.ok())
        QMessageBox::warning(this, tr("Cannot Save Picture"), bridge::errorText(written.error()));
    else
        Q_EMIT statusMessage(tr("Saved %1").arg(path));
}

void GalleryView::deleteSelected()
{
    const QStringList ids = selectedIds();
    if (ids.isEmpty())
        return;
    const auto answer = QMessageBox::question(
        this, tr("Delete Pictures"),
        tr("Delete %n picture(s) and their maps from the gallery? This cannot be undone.", nullptr,
           ids.size()));
    if (answer != QMessageBox::Yes)
        return;
    const auto removed = m_store->remove(ids);
    if (!removed.ok())
        QMessageBox::warning(this, tr("Cannot Delete"), bridge::errorText(removed.error()));
}

void GalleryView::exportSelected()
{
    const QStringList ids = selectedIds();
    if (ids.isEmpty()) {
        QMessageBox::information(this, tr("Export"), tr("Select the pictures to export first."));
        return;
    }
    exportIds(ids);
}

void GalleryView::exportAll()
{
    if (m_store->items().isEmpty()) {
        QMessageBox::information(this, tr("Export"), tr("The gallery is empty."));
        return;
    }
    exportIds({});
}

void GalleryView::exportIds(const QStringList& ids)
{
    QString path = QFileDialog::getSaveFileName(this, tr("Export Gallery"),
                                                QStringLiteral("latent-canvas-gallery.zip"),
                                                tr("Zip archive (*.zip)"));
    if (path.isEmpty())
        return;
    if (!path.endsWith(QStringLiteral(".zip"), Qt::CaseInsensitive))
        path += QStringLiteral(".zip");
    // A copy of the items: the store may take new results while the zip is written.
    QList<bridge::GalleryItem> items;
    for (const auto& item : m_store->items()) {
        if (ids.isEmpty() || ids.contains(item.id))
            items.append(item);
    }
    const QString root = m_store->root();
    runWithProgress<Result<void>>(
        this, tr("Exporting %n picture(s)…", nullptr, static_cast<int>(items.size())),
        [root, items, path](TaskProgress& progress) {
            return bridge::exportGalleryItems(root, items, path, [&progress](int done, int total) {
                return progress.report(done, total);
            });
        },
        [this, path](const Result<void>& exported) {
            if (exported.ok())
                Q_EMIT statusMessage(tr("Exported to %1").arg(path));
            else if (exported.error().code == ErrorCode::Cancelled)
                Q_EMIT statusMessage(tr("Export cancelled."));
            else
                QMessageBox::warning(this, tr("Export Failed"),
                                     bridge::errorText(exported.error()));
        });
}

void GalleryView::importArchive()
{
    const QString path = QFileDialog::getOpenFileName(this, tr("Import Gallery"), QString(),
                                                      tr("Zip archive (*.zip)"));
    if (path.isEmpty())
        return;
    QSet<QString> known;
    for (const auto& item : m_store->items())
        known.insert(item.imageSha256);
    // Reading, verifying and thumbnailing happen off the GUI thread; filing the items (small
    // writes and the index) happens here, on the store's thread.
    runWithProgress<bridge::ArchiveContents>(
        this, tr("Importing %1…").arg(QFileInfo(path).fileName()),
        [path, known](TaskProgress& progress) {
            return bridge::readGalleryArchive(path, known, [&progress](int done, int total) {
                return progress.report(done, total);
            });
        },
        [this](const bridge::ArchiveContents& contents) {
            // All or nothing: a refused archive or a failed write leaves the gallery as it was.
            const auto filed = bridge::fileArchiveContents(*m_store, contents);
            if (!filed.ok()) {
                if (filed.error().code == ErrorCode::Cancelled)
                    Q_EMIT statusMessage(tr("Import cancelled."));
                else
                    QMessageBox::warning(this, tr("Import Failed"),
                                         bridge::errorText(filed.error()));
                return;
            }
            Q_EMIT statusMessage(tr("Imported %n picture(s)", nullptr, filed->imported) +
                                 (filed->duplicates ? tr("; %n already in the gallery", nullptr,
                                                         filed->duplicates)
                                                    : QString()));
        });
}

} // namespace ldm::ui
