// SPDX-License-Identifier: GPL-3.0-or-later
#include "palette_list.h"

#include <QCoreApplication>
#include <QIcon>
#include <QLineEdit>
#include <QListWidget>
#include <QPainter>
#include <QSignalBlocker>
#include <QVBoxLayout>

namespace ldm::ui {

namespace {

// Names of the bundled landscape palette, listed so lupdate offers them for translation.
[[maybe_unused]] constexpr const char* LandscapeNames[] = {
    QT_TRANSLATE_NOOP("ldm::ui::ClassNames", "sky"),
    QT_TRANSLATE_NOOP("ldm::ui::ClassNames", "cloud"),
    QT_TRANSLATE_NOOP("ldm::ui::ClassNames", "mountain"),
    QT_TRANSLATE_NOOP("ldm::ui::ClassNames", "snow"),
    QT_TRANSLATE_NOOP("ldm::ui::ClassNames", "rock"),
    QT_TRANSLATE_NOOP("ldm::ui::ClassNames", "water"),
    QT_TRANSLATE_NOOP("ldm::ui::ClassNames", "sand"),
    QT_TRANSLATE_NOOP("ldm::ui::ClassNames", "grass"),
    QT_TRANSLATE_NOOP("ldm::ui::ClassNames", "forest"),
    QT_TRANSLATE_NOOP("ldm::ui::ClassNames", "dirt"),
};

} // namespace

QString displayName(const bridge::SemanticClass& semanticClass)
{
    return QCoreApplication::translate("ldm::ui::ClassNames",
                                       semanticClass.name.toUtf8().constData());
}

QIcon swatchIcon(const QColor& color, int side)
{
    QIcon icon;
    for (const int scale : {1, 2, 3}) {
        QPixmap pixmap(side * scale, side * scale);
        pixmap.fill(Qt::transparent);
        QPainter painter(&pixmap);
        painter.setRenderHint(QPainter::Antialiasing);
        painter.setPen(QPen(QColor(0, 0, 0, 140), scale));
        painter.setBrush(color);
        painter.drawRoundedRect(QRectF(pixmap.rect()).adjusted(scale, scale, -scale, -scale),
                                3 * scale, 3 * scale);
        painter.end();
        pixmap.setDevicePixelRatio(scale);
        icon.addPixmap(pixmap);
    }
    return icon;
}

PaletteList::PaletteList(const bridge::ClassPalette& palette, QWidget* parent)
    : QWidget(parent)
    , m_search(new QLineEdit(this))
    , m_list(new QListWidget(this))
{
    m_search->setPlaceholderText(tr("Search classes…"));
    m_search->setClearButtonEnabled(true);
    m_list->setIconSize(QSize(18, 18));
    m_list->setUniformItemSizes(true);
    fill(palette);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_search);
    layout->addWidget(m_list);

    connect(m_search, &QLineEdit::textChanged, this, &PaletteList::applyFilter);
    connect(m_list, &QListWidget::currentItemChanged, this, [this](QListWidgetItem* item) {
        if (!item)
            return;
        const int id = item->data(Qt::UserRole).toInt();
        if (id != m_current) {
            m_current = id;
            Q_EMIT classSelected(id);
        }
    });
    // Enter in the search field picks the first match, so keyboard users never need the mouse.
    connect(m_search, &QLineEdit::returnPressed, this, [this] {
        for (int i = 0; i < m_list->count(); ++i) {
            if (!m_list->item(i)->isHidden()) {
                m_list->setCurrentRow(i);
                return;
            }
        }
    });
}

void PaletteList::fill(const bridge::ClassPalette& palette)
{
    for (const auto& c : palette.classes()) {
        auto* item =
            new QListWidgetItem(swatchIcon(c.color, 18),
                                QStringLiteral("%1  %2").arg(c.id).arg(displayName(c)), m_list);
        item->setData(Qt::UserRole, c.id);
        item->setData(Qt::UserRole + 1, c.name); // the search also finds the palette's own name
        item->setToolTip(tr("Class %1: %2 (%3)").arg(c.id).arg(displayName(c), c.color.name()));
    }
}

void PaletteList::setPalette(const bridge::ClassPalette& palette)
{
    // Keep the class the user paints with by name: ids differ between models.
    const QListWidgetItem* item = m_list->currentItem();
    const QString previous = item ? item->data(Qt::UserRole + 1).toString() : QString();
    {
        const QSignalBlocker block(m_list);
        m_list->clear();
        fill(palette);
    }
    applyFilter(m_search->text());
    m_current = -1;
    const int kept = palette.idOfName(previous);
    setCurrentClass(kept >= 0 ? kept : palette.classes().value(0).id);
}

void PaletteList::setCurrentClass(int classId)
{
    for (int i = 0; i < m_list->count(); ++i) {
        if (m_list->item(i)->data(Qt::UserRole).toInt() == classId) {
            m_list->setCurrentRow(i);
            return;
        }
    }
}

void PaletteList::applyFilter(const QString& text)
{
    for (int i = 0; i < m_list->count(); ++i) {
        QListWidgetItem* item = m_list->item(i);
        const QString needle = text.trimmed();
        item->setHidden(
            !item->text().contains(needle, Qt::CaseInsensitive) &&
            !item->data(Qt::UserRole + 1).toString().contains(needle, Qt::CaseInsensitive));
    }
}

} // namespace ldm::ui
