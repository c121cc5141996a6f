// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "bridge/class_palette.h"

#include <QDialog>

class QComboBox;
class QSpinBox;

namespace ldm::ui {

/// Asks for the size (multiples of the model's grid, at least 8) and starting class of a new
/// label map.
class NewMapDialog final : public QDialog
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(NewMapDialog)

public:
    NewMapDialog(const bridge::ClassPalette& palette, QSize size, int fillClass, int multiple,
                 QWidget* parent = nullptr);
    QSize mapSize() const;
    int fillClass() const;

private:
    QSpinBox* m_width;
    QSpinBox* m_height;
    QComboBox* m_fill;
    int m_multiple;
};

} // namespace ldm::ui
