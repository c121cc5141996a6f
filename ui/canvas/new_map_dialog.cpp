// SPDX-License-Identifier: GPL-3.0-or-later
#include "new_map_dialog.h"

#include "bridge/label_map_io.h"
#include "palette_list.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QSpinBox>

namespace ldm::ui {

namespace {

int snap(int side, int multiple)
{
    const int top = bridge::LabelMapMaxSide / multiple * multiple;
    return qBound(multiple, (side + multiple / 2) / multiple * multiple, top);
}

QSpinBox* sideBox(int value, int multiple, QWidget* parent)
{
    auto* box = new QSpinBox(parent);
    box->setRange(multiple, bridge::LabelMapMaxSide / multiple * multiple);
    box->setSingleStep(multiple);
    box->setValue(snap(value, multiple));
    box->setSuffix(QStringLiteral(" px"));
    box->setToolTip(NewMapDialog::tr("Multiples of %1 px, the grid of the model").arg(multiple));
    QObject::connect(box, &QSpinBox::editingFinished, box,
                     [box, multiple] { box->setValue(snap(box->value(), multiple)); });
    return box;
}

} // namespace

NewMapDialog::NewMapDialog(const bridge::ClassPalette& palette, QSize size, int fillClass,
                           int multiple, QWidget* parent)
    : QDialog(parent)
    , m_width(sideBox(size.width(), qMax(1, multiple), this))
    , m_height(sideBox(size.height(), qMax(1, multiple), this))
    , m_fill(new QComboBox(this))
    , m_multiple(qMax(1, multiple))
{
    setWindowTitle(tr("New Map"));
    for (const auto& c : palette.classes())
        m_fill->addItem(swatchIcon(c.color), displayName(c), c.id);
    m_fill->setCurrentIndex(qMax(0, m_fill->findData(fillClass)));
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    auto* form = new QFormLayout(this);
    form->addRow(tr("Width"), m_width);
    form->addRow(tr("Height"), m_height);
    form->addRow(tr("Fill with"), m_fill);
    form->addRow(buttons);
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
}

QSize NewMapDialog::mapSize() const
{
    return QSize(snap(m_width->value(), m_multiple), snap(m_height->value(), m_multiple));
}

int NewMapDialog::fillClass() const
{
    return m_fill->currentData().toInt();
}

} // namespace ldm::ui
