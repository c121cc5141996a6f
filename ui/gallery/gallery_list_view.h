// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QListView>

namespace ldm::ui {

/// The thumbnail grid; says what will appear there while the gallery is empty.
class GalleryListView final : public QListView
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(GalleryListView)

public:
    explicit GalleryListView(QWidget* parent = nullptr);

protected:
    void paintEvent(QPaintEvent* event) override;
};

} // namespace ldm::ui
