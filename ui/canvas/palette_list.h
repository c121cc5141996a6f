// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "bridge/class_palette.h"

#include <QWidget>

class QLineEdit;
class QListWidget;

namespace ldm::ui {

/// The class list with colour swatches and a search field; picking a row picks the class
/// the tools paint with.
class PaletteList final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(PaletteList)

public:
    explicit PaletteList(const bridge::ClassPalette& palette, QWidget* parent = nullptr);

    int currentClass() const { return m_current; }
    /// Lists another palette's classes, keeping the current class when it still exists.
    void setPalette(const bridge::ClassPalette& palette);
    void setCurrentClass(int classId);

Q_SIGNALS:
    void classSelected(int classId);

private:
    void fill(const bridge::ClassPalette& palette);
    void applyFilter(const QString& text);

    QLineEdit* m_search;
    QListWidget* m_list;
    int m_current = -1;
};

/// The class name shown to the user: translated for the bundled palette's classes.
QString displayName(const bridge::SemanticClass& semanticClass);

/// A square colour swatch icon, crisp at any device pixel ratio.
QIcon swatchIcon(const QColor& color, int side = 16);

} // namespace ldm::ui
