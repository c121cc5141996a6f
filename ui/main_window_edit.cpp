// SPDX-License-Identifier: GPL-3.0-or-later
// MainWindow, part four: bringing pictures and settings back (restore from the gallery or a
// file) and the Edit page (edit any result, one Undo that follows the page in front).
#include "main_window.h"

#include "bridge/image_io.h"
#include "canvas/label_document.h"
#include "gallery/gallery_view.h"
#include "panels/edit_panel.h"
#include "panels/paint_panel.h"
#include "panels/preview_view.h"
#include "panels/prompt_panel.h"
#include "panels/upscale_panel.h"

#include <QMessageBox>
#include <QTabWidget>
#include <QUndoGroup>

namespace ldm::ui {

void MainWindow::connectEdit()
{
    connect(m_edit, &EditPanel::statusMessage, this, &MainWindow::showStatus);
    connect(m_galleryView, &GalleryView::restoreEditRequested, this, &MainWindow::restoreEdit);
    connect(m_galleryView, &GalleryView::editRequested, this, &MainWindow::editPicture);
    const std::pair<Activity, PreviewView*> previews[] = {{Activity::Prompt, m_prompt->preview()},
                                                          {Activity::Paint, m_paint->preview()},
                                                          {Activity::Edit, m_edit->preview()}};
    for (const auto& [activity, preview] : previews) {
        connect(preview, &PreviewView::editRequested, this,
                [this, activity = activity, preview = preview] {
                    editPicture(preview->image(), m_lastRecipes.value(activity));
                });
    }
    connect(m_tabs, &QTabWidget::currentChanged, this, &MainWindow::activateUndo);
}

void MainWindow::activateUndo()
{
    if (m_tabs->currentWidget() == m_paint)
        m_undoGroup->setActiveStack(m_paint->document()->undoStack());
    else if (m_tabs->currentWidget() == m_edit)
        m_edit->activateUndo();
    else
        m_undoGroup->setActiveStack(nullptr);
}

void MainWindow::editCurrentResult()
{
    const auto current = static_cast<Activity>(m_tabs->currentIndex());
    if (current == Activity::Gallery) {
        m_galleryView->editSelected();
        return;
    }
    PreviewView* preview = current == Activity::Paint  ? m_paint->preview()
                           : current == Activity::Edit ? m_edit->preview()
                                                       : m_prompt->preview();
    if (current == Activity::Upscale || preview->image().isNull()) {
        showStatus(tr("There is no result on this page to edit."));
        return;
    }
    editPicture(preview->image(), m_lastRecipes.value(current));
}

void MainWindow::editPicture(const QImage& picture, const Recipe& recipe)
{
    if (picture.isNull() || !m_edit->editResult(picture, recipe))
        return;
    showActivity(Activity::Edit);
    showStatus(tr("Paint the area to change, or choose Image to Image to redraw it all."));
}

void MainWindow::restoreEdit(const Recipe& recipe, const QString& inputPath,
                             const QString& maskPath)
{
    QImage input;
    QImage mask;
    if (!inputPath.isEmpty()) {
        auto read = bridge::readImageChecked(inputPath);
        if (read.ok())
            input = read.value();
    }
    if (!maskPath.isEmpty()) {
        auto read = bridge::readImageChecked(maskPath);
        if (read.ok())
            mask = read.value();
    }
    m_edit->restoreEdit(recipe, input, mask);
    showActivity(Activity::Edit);
    if (input.isNull())
        showStatus(tr("Settings restored (seed %1); the picture it edited is not stored with it, "
                      "so open that picture to edit it again.")
                       .arg(recipe.seed));
    else
        // The stored mask is the one that ran, feather included: feathering it again would
        // change the result, so the panel's feather is set to 0.
        showStatus(tr("Picture, mask and settings restored (seed %1).").arg(recipe.seed));
}

void MainWindow::restoreRecipe(const Recipe& recipe, const QString& mapPath)
{
    if (recipe.task == "img2img" || recipe.task == "inpaint" || recipe.task == "outpaint") {
        restoreEdit(recipe, QString(), QString()); // a file's recipe, without its pictures
        return;
    }
    if (recipe.task == "paint") {
        m_paint->applyRecipe(recipe);
        if (!mapPath.isEmpty())
            m_paint->openMap(mapPath);
        showActivity(Activity::Paint);
    } else if (recipe.task == "upscale") {
        m_upscale->applyRecipe(recipe); // the settings; the small picture is not kept
        showActivity(Activity::Upscale);
    } else {
        m_prompt->applyRecipe(recipe);
        showActivity(Activity::Prompt);
    }
    showRestoredPicture(recipe.task == "paint"     ? Activity::Paint
                        : recipe.task == "upscale" ? Activity::Upscale
                                                   : Activity::Prompt,
                        recipe);
    if (!isKnownSampler(recipe.sampler))
        showStatus(tr("Settings restored; sampler “%1” is not available here, kept the current "
                      "one.")
                       .arg(QString::fromStdString(recipe.sampler)));
    else
        showStatus(tr("Settings restored (seed %1).").arg(recipe.seed));
}

void MainWindow::openFile(const QString& path)
{
    if (m_tabs->currentWidget() == m_paint) {
        m_paint->openMap(path);
        return;
    }
    if (m_tabs->currentWidget() == m_upscale) {
        m_upscale->openImage(path);
        return;
    }
    if (m_tabs->currentWidget() == m_edit) {
        m_edit->openImage(path);
        return;
    }
    const auto found = bridge::readRecipeFromImage(path);
    if (!found.ok()) {
        QMessageBox::information(this, tr("No Settings Found"), bridge::errorText(found.error()));
        return;
    }
    restoreRecipe(found->recipe, QString());
}

} // namespace ldm::ui
