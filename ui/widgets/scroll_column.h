// SPDX-License-Identifier: GPL-3.0-or-later
// A side column of settings that scrolls instead of squeezing its rows when the window is
// small (800 × 600 and below), and fills the height when there is room.
#pragma once

#include <QFrame>
#include <QScrollArea>

#include <algorithm>

namespace ldm::ui {

/// Puts `content` in a frameless vertical scroll area as wide as the content needs.
inline QScrollArea* scrollableColumn(QWidget* content, QWidget* parent)
{
    auto* area = new QScrollArea(parent);
    area->setFrameShape(QFrame::NoFrame);
    area->setWidgetResizable(true);
    area->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    area->setWidget(content);
    // The column keeps its width; the scroll bar, when shown, comes on top of that.
    area->setMinimumWidth(std::max(content->minimumWidth(), content->minimumSizeHint().width()) +
                          16);
    return area;
}

} // namespace ldm::ui
