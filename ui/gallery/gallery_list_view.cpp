// SPDX-License-Identifier: GPL-3.0-or-later
#include "gallery_list_view.h"

#include <QPainter>

namespace ldm::ui {

GalleryListView::GalleryListView(QWidget* parent)
    : QListView(parent)
{
}

void GalleryListView::paintEvent(QPaintEvent* event)
{
    QListView::paintEvent(event);
    if (model() && model()->rowCount() > 0)
        return;
    QPainter painter(viewport());
    painter.setPen(palette().color(QPalette::PlaceholderText));
    painter.drawText(viewport()->rect().adjusted(32, 32, -32, -32),
                     Qt::AlignCenter | Qt::TextWordWrap,
                     tr("No pictures yet.\nEverything you generate is kept here with the "
                        "settings that made it. Import a gallery zip to bring pictures from "
                        "another computer."));
}

} // namespace ldm::ui
