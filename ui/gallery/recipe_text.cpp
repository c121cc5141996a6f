// SPDX-License-Identifier: GPL-3.0-or-later
#include "recipe_text.h"

#include <QCoreApplication>

namespace ldm::ui {

namespace {

// Free functions translate through this; lupdate reads the context from it.
struct Text
{
    Q_DECLARE_TR_FUNCTIONS(ldm::ui::RecipeText)
};

QString taskName(const std::string& task)
{
    if (task == "paint")
        return Text::tr("Paint (semantic map)");
    if (task == "upscale")
        return Text::tr("Upscale (4×)");
    if (task == "img2img")
        return Text::tr("Image to image");
    if (task == "inpaint")
        return Text::tr("Inpaint (masked area)");
    if (task == "outpaint")
        return Text::tr("Outpaint (grown canvas)");
    return Text::tr("Text to image");
}

} // namespace

QString recipeHtml(const Recipe& r)
{
    QString rows;
    const auto row = [&rows](const QString& label, const QString& value) {
        if (!value.isEmpty())
            rows +=
                QStringLiteral("<tr><td style='color:#808080;padding-right:10px'>%1</td>"
                               "<td>%2</td></tr>")
                    .arg(label.toHtmlEscaped(),
                         value.toHtmlEscaped().replace(QLatin1Char('\n'), QStringLiteral("<br>")));
    };
    const auto text = [](const std::string& s) { return QString::fromStdString(s); };
    row(Text::tr("Prompt"), text(r.prompt));
    row(Text::tr("Negative prompt"), text(r.negativePrompt));
    row(Text::tr("Task"), taskName(r.task));
    row(Text::tr("Model"),
        r.modelHash.empty() ? text(r.modelName)
                            : QStringLiteral("%1 [%2]").arg(text(r.modelName), text(r.modelHash)));
    row(Text::tr("Sampler"), text(samplerDisplayName(r.sampler)));
    row(Text::tr("Steps"), QString::number(r.steps));
    row(Text::tr("Guidance scale"), QString::number(r.guidanceScale));
    row(Text::tr("Eta"), samplerReadsEta(r.sampler) ? QString::number(r.eta) : QString());
    row(Text::tr("Seed"), QString::number(r.seed));
    row(Text::tr("Size"), QStringLiteral("%1 × %2").arg(r.width).arg(r.height));
    row(Text::tr("Precision"), text(r.precision));
    row(Text::tr("Map hash"), text(r.mapHash));
    row(Text::tr("Input hash"), text(r.inputImageHash));
    row(Text::tr("Mask hash"), text(r.maskHash));
    const bool edit = r.task == "img2img" || r.task == "inpaint" || r.task == "outpaint";
    row(Text::tr("Strength"), edit ? QString::number(r.strength) : QString());
    if (r.task == "upscale")
        row(Text::tr("Tile size"), r.tileSize > 0
                                       ? Text::tr("%1 px of the input").arg(r.tileSize)
                                       : Text::tr("whole image"));
    row(Text::tr("Engine"), text(r.engineVersion));
    row(Text::tr("Created"), text(r.createdAt));
    return QStringLiteral("<table cellspacing='2'>%1</table>").arg(rows);
}

} // namespace ldm::ui
