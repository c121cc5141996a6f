// SPDX-License-Identifier: GPL-3.0-or-later
#include "map_files.h"

#include "bridge/image_io.h"
#include "label_document.h"
#include "palette_list.h"

#include <QCoreApplication>
#include <QFileInfo>
#include <QMessageBox>
#include <QPushButton>

#include <climits>

namespace ldm::ui {

namespace {

// Free functions translate through this; lupdate reads the context from it.
struct Text
{
    Q_DECLARE_TR_FUNCTIONS(ldm::ui::MapFiles)
};

constexpr int ListedColors = 8;

} // namespace

UnknownColorsPrompt unknownColorsMessageBox(QWidget* parent, const bridge::ClassPalette& palette)
{
    return [parent, palette](const bridge::LabelMapScan& scan) {
        QStringList lines;
        for (int i = 0; i < scan.unknownColors.size() && i < ListedColors; ++i) {
            const QRgb rgb = scan.unknownColors[i];
            const auto* nearest = palette.byId(palette.nearestClass(rgb));
            lines << Text::tr("%1 → %2").arg(QColor(rgb).name(),
                                             nearest ? displayName(*nearest) : QString());
        }
        if (scan.unknownColors.size() > ListedColors)
            lines << Text::tr("… and %n more", nullptr,
                              static_cast<int>(scan.unknownColors.size()) - ListedColors);
        QMessageBox box(QMessageBox::Question, Text::tr("Colours not in the palette"),
                        Text::tr("%n pixel(s) of this map have colours that are not classes of the "
                                 "palette.",
                                 nullptr,
                                 static_cast<int>(qMin<qint64>(scan.unknownPixels, INT_MAX))),
                        QMessageBox::NoButton, parent);
        box.setInformativeText(Text::tr("Map each colour to the nearest class?\n\n%1")
                                   .arg(lines.join(QLatin1Char('\n'))));
        QPushButton* map = box.addButton(Text::tr("Map to Nearest Class"), QMessageBox::AcceptRole);
        box.addButton(QMessageBox::Cancel);
        box.setDefaultButton(QMessageBox::Cancel);
        box.exec();
        return box.clickedButton() == map;
    };
}

MapLoadResult loadMapIntoDocument(LabelDocument& document, const QString& path,
                                  const UnknownColorsPrompt& ask)
{
    return applyMapScan(document, bridge::loadLabelMap(path, document.palette()), path, ask);
}

MapLoadResult applyMapScan(LabelDocument& document, const Result<bridge::LabelMapScan>& scan,
                           const QString& path, const UnknownColorsPrompt& ask)
{
    if (!scan.ok())
        return {MapLoadStatus::Failed, bridge::errorText(scan.error())};
    if (!scan->unknownColors.isEmpty() && !(ask && ask(scan.value())))
        return {MapLoadStatus::Declined, {}};
    document.replaceMap(scan->ids, Text::tr("Open %1").arg(QFileInfo(path).fileName()));
    return {MapLoadStatus::Loaded, {}};
}

QString saveDocumentMap(const LabelDocument& document, const QString& path)
{
    const auto saved = bridge::saveLabelMap(document.ids(), document.palette(), path);
    return saved.ok() ? QString() : bridge::errorText(saved.error());
}

} // namespace ldm::ui
