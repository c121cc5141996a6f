// SPDX-License-Identifier: GPL-3.0-or-later
#include "image_io.h"

#include "core/regular_file.h"

#include <QBuffer>
#include <QCoreApplication>
#include <QCryptographicHash>
#include <QFileInfo>
#include <QImageReader>
#include <QImageWriter>
#include <QSaveFile>

#include <nlohmann/json.hpp>

namespace ldm::bridge {

namespace {

// Free functions translate through this; lupdate reads the context from it.
struct Text
{
    Q_DECLARE_TR_FUNCTIONS(ldm::bridge::ImageIo)
};

Error fileError(const QString& message)
{
    return makeError(ErrorCode::InvalidFile, message.toStdString());
}

Result<QImage> readFrom(QImageReader& reader, const QString& name, qint64 maxPixels)
{
    const QSize size = reader.size();
    if (!size.isValid()) {
        return fileError(Text::tr("%1 is not an image this program can read (%2).")
                             .arg(name, reader.errorString()));
    }
    if (static_cast<qint64>(size.width()) * size.height() > maxPixels) {
        return fileError(Text::tr("%1 is too large (%2 × %3 pixels); the limit is %4 megapixels.")
                             .arg(name)
                             .arg(size.width())
                             .arg(size.height())
                             .arg(maxPixels / 1000000));
    }
    QImage image;
    if (!reader.read(&image) || image.isNull()) {
        return fileError(Text::tr("%1 could not be decoded: %2").arg(name, reader.errorString()));
    }
    return image;
}

// Our own size check runs first with a better message; the reader's limit (set once, it is a
// process-wide value) guards formats that cannot report a size up front.
void ensureAllocationLimit()
{
    static const bool done = (QImageReader::setAllocationLimit(1024), true);
    (void)done;
}

} // namespace

Result<void> openRegularFile(const QString& path, QFile& file)
{
    auto fd = files::openRegular(QFile::encodeName(path).toStdString());
    if (!fd)
        return fd.error();
    if (!file.open(fd->get(), QIODevice::ReadOnly, QFileDevice::AutoCloseHandle))
        return fileError(Text::tr("Cannot read %1: %2").arg(path, file.errorString()));
    fd->release(); // the QFile closes it
    return {};
}

Result<QImage> readImageChecked(const QString& path, qint64 maxPixels)
{
    ensureAllocationLimit();
    QFile file;
    if (auto opened = openRegularFile(path, file); !opened.ok())
        return opened.error();
    QImageReader reader(&file);
    return readFrom(reader, QFileInfo(path).fileName(), maxPixels);
}

Result<QImage> decodeImageChecked(const QByteArray& bytes, qint64 maxPixels)
{
    QBuffer buffer;
    buffer.setData(bytes);
    buffer.open(QIODevice::ReadOnly);
    ensureAllocationLimit();
    QImageReader reader(&buffer);
    return readFrom(reader, Text::tr("The image"), maxPixels);
}

Result<QByteArray> encodePng(const QImage& image)
{
    QByteArray bytes;
    QBuffer buffer(&bytes);
    buffer.open(QIODevice::WriteOnly);
    QImageWriter writer(&buffer, "png");
    if (!writer.write(image))
        return makeError(ErrorCode::Internal, writer.errorString().toStdString());
    return bytes;
}

Result<QByteArray> encodePngWithRecipe(const QImage& image, const Recipe& recipe)
{
    QImage tagged = image;
    tagged.setText(QString::fromLatin1(ParametersKey),
                   QString::fromStdString(toA1111Parameters(recipe)));
    tagged.setText(QString::fromLatin1(RecipeKey), QString::fromStdString(toJson(recipe).dump()));
    return encodePng(tagged);
}

Result<FoundRecipe> readRecipeFromImage(const QString& path)
{
    QFile file;
    if (auto opened = openRegularFile(path, file); !opened.ok())
        return opened.error();
    QImageReader reader(&file);
    if (!reader.canRead())
        return fileError(
            Text::tr("%1 is not an image this program can read.").arg(QFileInfo(path).fileName()));
    FoundRecipe found;
    found.parameters = reader.text(QString::fromLatin1(ParametersKey));
    const QString json = reader.text(QString::fromLatin1(RecipeKey));
    if (!json.isEmpty()) {
        auto recipe = recipeFromJsonText(json.toStdString());
        if (recipe.ok()) {
            found.recipe = recipe.value();
            found.lossless = true;
            return found;
        }
    }
    if (found.parameters.isEmpty())
        return fileError(
            Text::tr("%1 carries no generation settings.").arg(QFileInfo(path).fileName()));
    auto recipe = recipeFromA1111Parameters(found.parameters.toStdString());
    if (!recipe.ok())
        return recipe.error();
    found.recipe = recipe.value();
    return found;
}

QString sha256Hex(const QByteArray& bytes, int length)
{
    const QString hex =
        QString::fromLatin1(QCryptographicHash::hash(bytes, QCryptographicHash::Sha256).toHex());
    return length > 0 ? hex.left(length) : hex;
}

Result<void> writeFileAtomically(const QString& path, const QByteArray& bytes)
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(bytes) != bytes.size()) {
        const QString why = file.errorString();
        file.cancelWriting();
        return fileError(Text::tr("Cannot write %1: %2").arg(path, why));
    }
    if (!file.commit())
        return fileError(Text::tr("Cannot write %1: %2").arg(path, file.errorString()));
    return {};
}

} // namespace ldm::bridge
