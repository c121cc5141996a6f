// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "ldm/result.h"

#include <QColor>
#include <QList>
#include <QString>
#include <QVector>

namespace ldm::bridge {

/// One semantic class: the id painted on the canvas (and one-hot fed to the model).
struct SemanticClass
{
    int id = 0;
    QString name;
    QColor color;
};

/// The classes of a semantic model, read from resources/palettes/*.json.
class ClassPalette
{
public:
    /// Loads {"name":..., "classes":[{"id":0,"name":"sky","color":"#87b8e8"}, ...]}.
    /// Ids must be 0..255 and unique, colours valid and distinct.
    static Result<ClassPalette> fromJson(const QByteArray& json);
    static Result<ClassPalette> fromFile(const QString& path);
    /// Same rules for classes given in code (a model's own palette).
    static Result<ClassPalette> fromClasses(const QString& name,
                                            const QList<SemanticClass>& classes);
    /// The palette bundled with the app (":/palettes/landscape.json").
    static ClassPalette builtin();

    QString name() const { return m_name; }
    const QList<SemanticClass>& classes() const { return m_classes; }
    bool isEmpty() const { return m_classes.isEmpty(); }
    bool contains(int id) const;
    const SemanticClass* byId(int id) const;
    /// Id of the class called `name` (case-insensitive), or -1.
    int idOfName(const QString& name) const;
    /// 256 entries: class colours at their ids, black elsewhere; for Indexed8 label maps.
    QVector<QRgb> colorTable() const;
    /// Id whose colour equals `rgb` exactly (alpha ignored), or -1.
    int exactClass(QRgb rgb) const;
    /// Id whose colour is nearest to `rgb` (squared RGB distance).
    int nearestClass(QRgb rgb) const;

private:
    QString m_name;
    QList<SemanticClass> m_classes;
};

} // namespace ldm::bridge
