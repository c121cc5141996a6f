// SPDX-License-Identifier: GPL-3.0-or-later
// PaintPanel, part two: painting for a Stable Diffusion model through a ControlNet. The
// palette follows the model and the ControlNet (the model's classes, ADE20K's for a
// segmentation ControlNet, strokes for a scribble one); the map becomes the ControlNet's hint.
#include "paint_panel.h"

#include "bridge/palette_match.h"
#include "canvas/label_document.h"
#include "canvas/palette_list.h"
#include "control_net_box.h"
#include "model_picker.h"

#include <QDir>
#include <QFileInfo>

namespace ldm::ui {

bridge::ClassPalette PaintPanel::wantedPalette() const
{
    // While a restore loads another model, the recipe's ControlNet already tells the palette,
    // so the restored map opens in its own colours.
    const bool loading = m_model.isValid() && m_models->modelKey() != m_model.key;
    if (!loading && m_model.takesMap)
        return m_model.palette.isEmpty() ? bridge::ClassPalette::builtin() : m_model.palette;
    if (m_control->path().isEmpty() || (!loading && !m_model.takesControlNet()))
        return {};
    return m_control->kind() == ControlNetBox::Kind::Scribble
               ? bridge::scribblePalette()
               : bridge::bundledPalette(QStringLiteral("ade20k"));
}

void PaintPanel::followPalette()
{
    const bridge::ClassPalette palette = wantedPalette();
    const bridge::ClassPalette& current = m_document->palette();
    if (palette.isEmpty() ||
        (palette.colorTable() == current.colorTable() && palette.name() == current.name()))
        return;
    const bool scribble = palette.name() == QLatin1String(bridge::ScribblePaletteName);
    const PaletteConversion conversion = m_document->setPalette(palette);
    if (scribble) {
        m_palette->setCurrentClass(bridge::ScribbleStroke);
        Q_EMIT statusMessage(tr("The map is now a scribble: draw black strokes on white."));
        return;
    }
    const QString source =
        m_model.takesMap ? m_model.name : QFileInfo(m_control->path()).fileName();
    QStringList parts{tr("The palette now shows the classes of %1.").arg(source)};
    if (!conversion.renamed.isEmpty())
        parts << tr("Carried over by name: %1.").arg(conversion.renamed.join(QStringLiteral(", ")));
    if (!conversion.unmatched.isEmpty()) {
        const auto* fallback = m_document->palette().byId(m_document->defaultClass());
        parts << tr("No class matches %1; painted as %2 now.")
                     .arg(conversion.unmatched.join(QStringLiteral(", ")),
                          fallback ? displayName(*fallback) : QString());
    }
    Q_EMIT statusMessage(parts.join(QLatin1Char(' ')));
}

QString PaintPanel::problem() const
{
    if (m_model.isValid() && m_model.key == m_models->modelKey() && !m_model.takesMap &&
        m_model.takesControlNet() && m_control->path().isEmpty())
        return tr("Choose a ControlNet for %1 first: it turns the map into the picture.")
            .arg(m_model.name);
    return {};
}

bool PaintPanel::usesControlNet() const
{
    return !m_control->path().isEmpty() && m_model.key == m_models->modelKey() &&
           !m_model.takesMap && m_model.takesControlNet();
}

QImage PaintPanel::controlHint() const
{
    const QImage& ids = m_document->ids();
    if (m_document->palette().name() != QLatin1String(bridge::ScribblePaletteName))
        return ids.convertToFormat(QImage::Format_RGB888); // the class colours
    QImage hint(ids.size(), QImage::Format_Grayscale8);
    for (int y = 0; y < ids.height(); ++y) {
        const uchar* in = ids.constScanLine(y);
        uchar* out = hint.scanLine(y);
        for (int x = 0; x < ids.width(); ++x)
            out[x] = in[x] == bridge::ScribbleStroke ? 255 : 0;
    }
    return hint.convertToFormat(QImage::Format_RGB888);
}

void PaintPanel::fillControl(bridge::GenerateRequest& request) const
{
    if (!usesControlNet())
        return;
    request.controlNet = m_control->path();
    request.controlHint = controlHint();
    m_control->fillRecipe(request.recipe.control);
}

void PaintPanel::applyControlRecipe(const Recipe& recipe)
{
    if (!recipe.control.enabled())
        return;
    // Where the file may be besides the remembered ControlNets: next to the model.
    QStringList folders;
    if (QFileInfo(m_models->modelKey()).isFile())
        folders << QFileInfo(m_models->modelKey()).absolutePath();
    if (!m_control->applyRecipe(recipe.control, folders))
        Q_EMIT statusMessage(tr("The ControlNet %1 of these settings was not found; choose it "
                                "to paint the same way.")
                                 .arg(QString::fromStdString(recipe.control.model)));
}

} // namespace ldm::ui
