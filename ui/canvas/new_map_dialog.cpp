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

QSpinBox* sideBox(int value, QWidget* parent)
{
    auto* box = new QSpinBox(parent);
    box->setRange(bridge::LabelMapMultiple, bridge::LabelMapMaxSide);
    box->setSingleStep(bridge::LabelMapMultiple);
    box->setValue(value);
    box->setSuffix(QStringLiteral(" px"));
    QObject::connect(box, &QSpinBox::editingFinished, box, [box] {
        const int m = bridge::LabelMapMultiple;
        box->setValue(qMax(m, (box->value() + m / 2) / m * m));
    });
    return box;
}

} // namespace

NewMapDialog::NewMapDialog(const bridge::ClassPalette& palette, QSize size, int fillClass,
                           QWidget* parent)
    : QDialog(parent)
    , m_width(sideBox(size.width(), this))
    , m_height(sideBox(size.height(), this))
    , m_fill(new QComboBox(this))
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
    const int m = bridge::LabelMapMultiple;
    return QSize(qMax(m, (m_width->value() + m / 2) / m * m),
                 qMax(m, (m_height->value() + m / 2) / m * m));
}

int NewMapDialog::fillClass() const
{
    return m_fill->currentData().toInt();
}

} // namespace ldm::ui
