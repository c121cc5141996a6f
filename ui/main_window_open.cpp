// SPDX-License-Identifier: GPL-3.0-or-later
// MainWindow: a file given on the command line goes to the page its content fits, whichever
// page was in front when the app last closed.
#include "main_window.h"

#include "bridge/image_io.h"
#include "canvas/label_document.h"
#include "panels/edit_panel.h"
#include "panels/paint_panel.h"

#include <QFileInfo>
#include <QImageReader>
#include <QMessageBox>
#include <QSet>

namespace ldm::ui {

namespace {

/// A label map: an indexed or grey image, or an RGB one painted only in `palette`'s colours.
bool looksLikeLabelMap(const QString& path, const QVector<QRgb>& palette)
{
    QImageReader reader(path);
    const QImage image = reader.read();
    if (image.isNull())
        return false;
    if (image.format() == QImage::Format_Indexed8 || image.format() == QImage::Format_Grayscale8 ||
        image.format() == QImage::Format_Grayscale16)
        return true;
    const QSet<QRgb> known(palette.begin(), palette.end());
    const QImage rgb = image.convertToFormat(QImage::Format_RGB32);
    for (int y = 0; y < rgb.height(); ++y) {
        const auto* line = reinterpret_cast<const QRgb*>(rgb.constScanLine(y));
        for (int x = 0; x < rgb.width(); ++x)
            if (!known.contains(line[x] | 0xff000000u))
                return false; // a colour no class has: a photo or a generated picture
    }
    return true;
}

} // namespace

void MainWindow::openFileByContent(const QString& path)
{
    const auto found = bridge::readRecipeFromImage(path);
    if (found.ok()) { // a picture from the gallery, the CLI or A1111
        restoreRecipe(found->recipe, QString());
        showRestoredPicture(found->recipe.task == "paint"     ? Activity::Paint
                            : found->recipe.task == "upscale" ? Activity::Upscale
                                                              : Activity::Prompt,
                            found->recipe, path);
        return;
    }
    QVector<QRgb> palette = m_paint->document()->palette().colorTable();
    for (QRgb& colour : palette)
        colour |= 0xff000000u;
    if (looksLikeLabelMap(path, palette)) {
        showActivity(Activity::Paint);
        m_paint->openMap(path);
        return;
    }
    if (QImageReader(path).canRead()) {
        showActivity(Activity::Edit);
        m_edit->openImage(path);
        return;
    }
    QMessageBox::information(this, tr("Cannot Open"),
                             tr("%1 is neither a picture nor a label map that Latent Canvas "
                                "can read.")
                                 .arg(QFileInfo(path).fileName()));
}

} // namespace ldm::ui
