// SPDX-License-Identifier: GPL-3.0-or-later
#include "bridge/gallery_archive.h"
#include "bridge/gallery_store.h"
#include "bridge/image_io.h"

#include <QDir>
#include <QFile>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <chrono>
#include <fcntl.h>
#include <future>
#include <sys/stat.h>
#include <unistd.h>

#include <quazip.h>
#include <quazipfile.h>
#include <quazipnewinfo.h>

using ldm::bridge::GalleryStore;

namespace {

QImage picture(int seed, QSize size = QSize(96, 64))
{
    QImage image(size, QImage::Format_RGB32);
    for (int y = 0; y < size.height(); ++y) {
        for (int x = 0; x < size.width(); ++x)
            image.setPixel(x, y, qRgb((x * seed) & 0xff, (y * 7 + seed) & 0xff, (x ^ y) & 0xff));
    }
    return image;
}

QImage labelMap()
{
    QImage map(64, 64, QImage::Format_Indexed8);
    QVector<QRgb> table(256, qRgb(0, 0, 0));
    table[0] = qRgb(0x87, 0xb8, 0xe8);
    table[5] = qRgb(0x1e, 0x50, 0xc8);
    map.setColorTable(table);
    map.fill(0);
    for (int y = 32; y < 64; ++y)
        memset(map.scanLine(y), 5, 64);
    return map;
}

ldm::Recipe recipe(quint64 seed)
{
    ldm::Recipe r;
    r.task = "paint";
    r.prompt = "a lake, \"quoted\"\nsecond line";
    r.negativePrompt = "fog";
    r.seed = seed;
    r.width = 96;
    r.height = 64;
    r.modelName = "landscape";
    r.modelHash = "0123456789";
    return r;
}

QByteArray readAll(const QString& path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

} // namespace

class TestGalleryStore final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void addPersistsAcrossRestarts()
    {
        QTemporaryDir dir;
        QString id;
        {
            GalleryStore store(dir.path());
            QVERIFY(store.load().ok());
            QSignalSpy changed(&store, &GalleryStore::changed);
            auto added = store.add(picture(3), recipe(18446744073709551000ULL), labelMap());
            QVERIFY2(added.ok(), added.ok() ? "" : added.error().message.c_str());
            id = added.value();
            QCOMPARE(changed.size(), 1);
        }
        GalleryStore reopened(dir.path());
        QVERIFY(reopened.load().ok());
        QCOMPARE(reopened.items().size(), 1);
        const auto& item = reopened.items().first();
        QCOMPARE(item.id, id);
        QCOMPARE(item.recipe.seed, 18446744073709551000ULL);
        QVERIFY(!item.recipe.createdAt.empty());
        QVERIFY(item.created.isValid());
        QVERIFY(QFile::exists(reopened.absolutePath(item.thumbFile)));
        QCOMPARE(ldm::bridge::sha256Hex(readAll(reopened.absolutePath(item.imageFile))),
                 item.imageSha256);

        // The PNG carries both our JSON and the A1111 text.
        auto found = ldm::bridge::readRecipeFromImage(reopened.absolutePath(item.imageFile));
        QVERIFY(found.ok());
        QVERIFY(found->lossless);
        QVERIFY(found->recipe == item.recipe);
        QVERIFY(found->parameters.startsWith(QStringLiteral("a lake")));
        QVERIFY(found->parameters.contains(QStringLiteral("Seed: 18446744073709551000")));
        const QImage map(reopened.absolutePath(item.mapFile));
        QCOMPARE(map.format(), QImage::Format_Indexed8);
        QCOMPARE(map.pixelIndex(0, 63), 5);
    }

    void deleteRemovesFilesAndEntry()
    {
        QTemporaryDir dir;
        GalleryStore store(dir.path());
        QVERIFY(store.load().ok());
        const QString a = store.add(picture(1), recipe(1), labelMap()).value();
        const QString b = store.add(picture(2), recipe(2)).value();
        const auto files = [&](const QString& id) {
            const auto* item = store.item(id);
            return QStringList{store.absolutePath(item->imageFile),
                               store.absolutePath(item->mapFile),
                               store.absolutePath(item->thumbFile)};
        };
        const QStringList aFiles = files(a);
        QVERIFY(store.remove({a}).ok());
        for (const QString& f : aFiles)
            QVERIFY2(!QFile::exists(f), qPrintable(f));
        QCOMPARE(store.items().size(), 1);
        GalleryStore reopened(dir.path());
        QVERIFY(reopened.load().ok());
        QCOMPARE(reopened.items().size(), 1);
        QCOMPARE(reopened.items().first().id, b);
    }

    void failedWriteLeavesIndexUntouched()
    {
        QTemporaryDir dir;
        GalleryStore store(dir.path());
        QVERIFY(store.load().ok());
        QVERIFY(store.add(picture(1), recipe(1)).ok());
        const QByteArray indexBefore = readAll(dir.filePath(QStringLiteral("index.json")));
        // A file where the maps folder should be makes the map write fail half way.
        QVERIFY(QDir(dir.path()).mkpath(QStringLiteral("maps")));
        QVERIFY(QDir(dir.path()).rmdir(QStringLiteral("maps")));
        QFile blocker(dir.filePath(QStringLiteral("maps")));
        QVERIFY(blocker.open(QIODevice::WriteOnly));
        blocker.close();
        auto added = store.add(picture(2), recipe(2), labelMap());
        QVERIFY(!added.ok());
        QVERIFY(!added.error().message.empty());
        QCOMPARE(store.items().size(), 1);
        QCOMPARE(readAll(dir.filePath(QStringLiteral("index.json"))), indexBefore);
        // No temporary files left behind by QSaveFile.
        const auto leftovers =
            QDir(dir.filePath(QStringLiteral("images"))).entryList(QDir::Files | QDir::Hidden);
        for (const QString& name : leftovers)
            QVERIFY2(name.endsWith(QStringLiteral(".png")), qPrintable(name));
    }

    void damagedIndexIsReportedAndNotOverwritten()
    {
        QTemporaryDir dir;
        const QByteArray garbage = "{ this is not json";
        QFile index(dir.filePath(QStringLiteral("index.json")));
        QVERIFY(index.open(QIODevice::WriteOnly));
        index.write(garbage);
        index.close();
        GalleryStore store(dir.path());
        const auto loaded = store.load();
        QVERIFY(!loaded.ok());
        QVERIFY(QString::fromStdString(loaded.error().message).contains(QStringLiteral("damaged")));
        QVERIFY(!store.add(picture(1), recipe(1)).ok());
        QCOMPARE(readAll(index.fileName()), garbage);
    }

    void exportImportRoundTripIsByteIdentical()
    {
        QTemporaryDir source;
        QTemporaryDir target;
        QTemporaryDir out;
        GalleryStore a(source.path());
        QVERIFY(a.load().ok());
        QVERIFY(a.add(picture(1), recipe(11), labelMap()).ok());
        QVERIFY(a.add(picture(2), recipe(22)).ok());
        const QString zip = out.filePath(QStringLiteral("gallery.zip"));
        const auto exported = ldm::bridge::exportGalleryArchive(a, {}, zip);
        QVERIFY2(exported.ok(), exported.ok() ? "" : exported.error().message.c_str());

        GalleryStore b(target.path());
        QVERIFY(b.load().ok());
        const auto report = ldm::bridge::importGalleryArchive(b, zip);
        QVERIFY2(report.ok(), report.ok() ? "" : report.error().message.c_str());
        QCOMPARE(report->imported, 2);
        QCOMPARE(b.items().size(), 2);
        for (int i = 0; i < 2; ++i) {
            const auto& x = a.items()[i];
            const auto& y = b.items()[i];
            QCOMPARE(readAll(b.absolutePath(y.imageFile)), readAll(a.absolutePath(x.imageFile)));
            QCOMPARE(y.mapFile.isEmpty(), x.mapFile.isEmpty());
            if (!x.mapFile.isEmpty())
                QCOMPARE(readAll(b.absolutePath(y.mapFile)), readAll(a.absolutePath(x.mapFile)));
            QVERIFY(y.recipe == x.recipe);
            QCOMPARE(y.created, x.created);
            QCOMPARE(y.imageSha256, x.imageSha256);
            QCOMPARE(y.id, x.id);
        }
        // Importing again finds only duplicates.
        const auto again = ldm::bridge::importGalleryArchive(b, zip);
        QVERIFY(again.ok());
        QCOMPARE(again->imported, 0);
        QCOMPARE(again->duplicates, 2);

        // Exporting a selection writes only that item.
        const QString one = out.filePath(QStringLiteral("one.zip"));
        QVERIFY(ldm::bridge::exportGalleryArchive(a, {a.items()[1].id}, one).ok());
        QTemporaryDir third;
        GalleryStore c(third.path());
        QVERIFY(c.load().ok());
        QCOMPARE(ldm::bridge::importGalleryArchive(c, one)->imported, 1);
        QVERIFY(c.items().first().recipe == a.items()[1].recipe);
    }

    void editInputsAndMasksTravelWithTheItem()
    {
        QTemporaryDir source;
        QTemporaryDir target;
        QTemporaryDir out;
        GalleryStore a(source.path());
        QVERIFY(a.load().ok());
        ldm::bridge::ItemSources sources;
        sources.input = picture(3);
        sources.mask = QImage(96, 64, QImage::Format_Grayscale8);
        sources.mask.fill(0);
        for (int y = 10; y < 30; ++y)
            memset(sources.mask.scanLine(y) + 20, 255, 40);
        ldm::Recipe edit = recipe(33);
        edit.task = "inpaint";
        edit.strength = 0.9;
        const auto encoded = GalleryStore::encodeItem(picture(4), edit, sources);
        QVERIFY(encoded.ok());
        const auto id = a.addItem(encoded.value());
        QVERIFY(id.ok());
        const auto& item = *a.item(id.value());
        QVERIFY(item.mapFile.isEmpty());
        QCOMPARE(item.inputFile, QStringLiteral("inputs/%1.png").arg(item.id));
        QCOMPARE(item.maskFile, QStringLiteral("masks/%1.png").arg(item.id));
        QCOMPARE(QImage(a.absolutePath(item.inputFile)).convertToFormat(QImage::Format_RGB32),
                 sources.input);
        QCOMPARE(QImage(a.absolutePath(item.maskFile)).convertToFormat(QImage::Format_Grayscale8),
                 sources.mask);

        // The index keeps them across restarts, and the zip carries them byte for byte.
        GalleryStore reopened(source.path());
        QVERIFY(reopened.load().ok());
        QCOMPARE(reopened.items().first().maskSha256, item.maskSha256);
        QCOMPARE(reopened.items().first().inputSha256, item.inputSha256);
        const QString zip = out.filePath(QStringLiteral("edits.zip"));
        QVERIFY(ldm::bridge::exportGalleryArchive(a, {}, zip).ok());
        GalleryStore b(target.path());
        QVERIFY(b.load().ok());
        const auto report = ldm::bridge::importGalleryArchive(b, zip);
        QVERIFY2(report.ok(), report.ok() ? "" : report.error().message.c_str());
        const auto& copy = b.items().first();
        QCOMPARE(readAll(b.absolutePath(copy.inputFile)), readAll(a.absolutePath(item.inputFile)));
        QCOMPARE(readAll(b.absolutePath(copy.maskFile)), readAll(a.absolutePath(item.maskFile)));
        QCOMPARE(copy.maskSha256, item.maskSha256);
        QVERIFY(copy.recipe == item.recipe);

        // Deleting the item deletes its input and mask.
        const QString inputPath = a.absolutePath(item.inputFile);
        const QString maskPath = a.absolutePath(item.maskFile);
        QVERIFY(a.remove({item.id}).ok());
        QVERIFY(!QFile::exists(inputPath));
        QVERIFY(!QFile::exists(maskPath));
    }

    void backgroundExportReportsProgressAndCancels()
    {
        QTemporaryDir source;
        QTemporaryDir out;
        GalleryStore a(source.path());
        QVERIFY(a.load().ok());
        for (int i = 1; i <= 3; ++i)
            QVERIFY(a.add(picture(i), recipe(quint64(i))).ok());
        // Stop after the first item: a cancelled export leaves no file behind.
        const QString stopped = out.filePath(QStringLiteral("stopped.zip"));
        QList<int> seen;
        const auto cancelled =
            ldm::bridge::exportGalleryItems(a.root(), a.items(), stopped, [&](int done, int total) {
                seen << done;
                return total == 3 && done < 1;
            });
        QVERIFY(!cancelled.ok());
        QCOMPARE(cancelled.error().code, ldm::ErrorCode::Cancelled);
        QVERIFY(!QFile::exists(stopped));
        QCOMPARE(QDir(out.path()).entryList(QDir::Files | QDir::Hidden).size(), 0);

        const QString zip = out.filePath(QStringLiteral("all.zip"));
        QVERIFY(ldm::bridge::exportGalleryItems(a.root(), a.items(), zip).ok());
        // Reading (the off-thread half of an import) skips known pictures and makes thumbs.
        const auto contents = ldm::bridge::readGalleryArchive(zip, {a.items().first().imageSha256});
        QVERIFY(!contents.error);
        QCOMPARE(contents.duplicates, 1);
        QCOMPARE(contents.items.size(), 2);
        QVERIFY(!contents.items.first().thumbPng.isEmpty());
        QCOMPARE(contents.items.first().preferredId, a.items()[1].id);
    }

    void encodedItemsFileLikeAdd()
    {
        QTemporaryDir dir;
        GalleryStore store(dir.path());
        QVERIFY(store.load().ok());
        // encodeItem() is what the app runs on a worker thread; addItem() files it.
        auto encoded = GalleryStore::encodeItem(picture(5), recipe(5), labelMap());
        QVERIFY(encoded.ok());
        QVERIFY(!encoded->recipe.createdAt.empty());
        const auto id = store.addItem(encoded.value());
        QVERIFY(id.ok());
        const auto* item = store.item(id.value());
        QVERIFY(item && !item->mapFile.isEmpty());
        QCOMPARE(QImage(store.absolutePath(item->thumbFile)).width(), 256);
        QVERIFY(!GalleryStore::encodeItem(QImage(), recipe(1)).ok());
    }

    void badArchivesGiveMessages()
    {
        QTemporaryDir dir;
        GalleryStore store(dir.filePath(QStringLiteral("g")));
        QVERIFY(store.load().ok());
        const auto expectError = [&](const QString& path, const char* needle) {
            const auto result = ldm::bridge::importGalleryArchive(store, path);
            QVERIFY(!result.ok());
            const QString message = QString::fromStdString(result.error().message);
            QVERIFY2(message.contains(QLatin1String(needle)), qPrintable(message));
        };
        QFile text(dir.filePath(QStringLiteral("text.zip")));
        QVERIFY(text.open(QIODevice::WriteOnly));
        text.write("not a zip at all");
        text.close();
        expectError(text.fileName(), "not a zip");
        expectError(dir.filePath(QStringLiteral("missing.zip")), "not a zip");

        const auto makeZip = [&](const QString& name, const QList<QPair<QString, QByteArray>>& e) {
            QuaZip zip(dir.filePath(name));
            QVERIFY(zip.open(QuaZip::mdCreate));
            for (const auto& [entry, bytes] : e) {
                QuaZipFile file(&zip);
                QVERIFY(file.open(QIODevice::WriteOnly, QuaZipNewInfo(entry)));
                file.write(bytes);
                file.close();
            }
            zip.close();
        };
        makeZip(QStringLiteral("other.zip"), {{QStringLiteral("readme.txt"), "hello"}});
        expectError(dir.filePath(QStringLiteral("other.zip")), "gallery.json");
        makeZip(QStringLiteral("broken.zip"), {{QStringLiteral("gallery.json"), "[oops"}});
        expectError(dir.filePath(QStringLiteral("broken.zip")), "damaged");

        // A valid manifest whose image does not match its recorded hash.
        QTemporaryDir other;
        GalleryStore a(other.path());
        QVERIFY(a.load().ok());
        QVERIFY(a.add(picture(5), recipe(5)).ok());
        const auto& item = a.items().first();
        const QByteArray manifest = readAll(other.filePath(QStringLiteral("index.json")));
        makeZip(QStringLiteral("tampered.zip"),
                {{QStringLiteral("gallery.json"), manifest},
                 {item.imageFile, readAll(a.absolutePath(item.imageFile)) + "x"}});
        expectError(dir.filePath(QStringLiteral("tampered.zip")), "hash");
        QVERIFY(store.items().isEmpty());
    }

    // Archives built to cost memory, disk or a half-filled gallery are refused whole, before
    // anything is inflated where the zip's directory tells, and the gallery stays as it was.
    void hostileArchivesImportNothing()
    {
        QTemporaryDir dir;
        GalleryStore store(dir.filePath(QStringLiteral("g")));
        QVERIFY(store.load().ok());
        const auto expectRefusal = [&](const QString& path, const char* needle) {
            const auto result = ldm::bridge::importGalleryArchive(store, path);
            QVERIFY2(!result.ok(), qPrintable(path));
            const QString message = QString::fromStdString(result.error().message);
            QVERIFY2(message.contains(QLatin1String(needle)), qPrintable(message));
            QVERIFY(store.items().isEmpty());
            QVERIFY(QDir(store.absolutePath(QStringLiteral("images"))).isEmpty());
        };
        // An entry: name, bytes, and (raw mode) the uncompressed size its directory claims.
        struct Entry
        {
            QString name;
            QByteArray bytes;
            qulonglong claimedSize = 0;
        };
        // Returns the zip's path, or "" when it could not be written (the refusal check fails).
        const auto makeZip = [&](const QString& name, const QList<Entry>& entries) -> QString {
            QuaZip zip(dir.filePath(name));
            if (!zip.open(QuaZip::mdCreate))
                return {};
            for (const auto& entry : entries) {
                QuaZipFile file(&zip);
                QuaZipNewInfo info(entry.name);
                bool opened = false;
                if (entry.claimedSize) {
                    info.uncompressedSize = entry.claimedSize;
                    opened = file.open(QIODevice::WriteOnly, info, nullptr, 0x1234, Z_DEFLATED,
                                       Z_DEFAULT_COMPRESSION, true);
                } else {
                    opened = file.open(QIODevice::WriteOnly, info);
                }
                if (!opened)
                    return {};
                file.write(entry.bytes);
                file.close();
            }
            zip.close();
            return zip.getZipError() == ZIP_OK ? dir.filePath(name) : QString();
        };

        // A source gallery of two pictures, one with a map, and its manifest.
        QTemporaryDir sourceDir;
        GalleryStore source(sourceDir.path());
        QVERIFY(source.load().ok());
        QVERIFY(source.add(picture(3), recipe(3), labelMap()).ok());
        QVERIFY(source.add(picture(4), recipe(4)).ok());
        const auto& first = source.items()[0];
        const auto& second = source.items()[1];
        const QByteArray manifest = readAll(sourceDir.filePath(QStringLiteral("index.json")));
        const QByteArray firstPng = readAll(source.absolutePath(first.imageFile));
        const QByteArray secondPng = readAll(source.absolutePath(second.imageFile));
        const QByteArray mapPng = readAll(source.absolutePath(first.mapFile));
        const QString gallery = QStringLiteral("gallery.json");
        QVERIFY(!first.mapFile.isEmpty());

        // The whole archive is good: it imports (and is then removed again for the next cases).
        const QString good = makeZip(QStringLiteral("good.zip"),
                                     {{gallery, manifest}, {first.imageFile, firstPng},
                                      {first.mapFile, mapPng}, {second.imageFile, secondPng}});
        {
            QTemporaryDir okDir;
            GalleryStore ok(okDir.path());
            QVERIFY(ok.load().ok());
            const auto report = ldm::bridge::importGalleryArchive(ok, good);
            QVERIFY2(report.ok(), report.ok() ? "" : report.error().message.c_str());
            QCOMPARE(report->imported, 2);
        }

        // The second picture damaged: the first, read fine, is not filed either.
        expectRefusal(makeZip(QStringLiteral("half.zip"),
                              {{gallery, manifest}, {first.imageFile, firstPng},
                               {first.mapFile, mapPng}, {second.imageFile, secondPng + "x"}}),
                      "hash");
        // One name twice in the zip's directory.
        expectRefusal(makeZip(QStringLiteral("twice.zip"),
                              {{gallery, manifest}, {first.imageFile, firstPng},
                               {first.imageFile, firstPng}, {first.mapFile, mapPng},
                               {second.imageFile, secondPng}}),
                      "lists the entry");
        // One entry named by two pictures of the manifest.
        QByteArray reused = manifest;
        reused.replace(second.imageFile.toUtf8(), first.imageFile.toUtf8());
        expectRefusal(makeZip(QStringLiteral("reused.zip"),
                              {{gallery, reused}, {first.imageFile, firstPng},
                               {first.mapFile, mapPng}}),
                      "more than once");
        // A manifest of 9 MB.
        expectRefusal(makeZip(QStringLiteral("manifest.zip"),
                              {{gallery, manifest + QByteArray(9 << 20, ' ')}}),
                      "at most 8 MB");
        // Pictures whose directory claims 1.5 GB each (nothing is inflated to find out).
        expectRefusal(makeZip(QStringLiteral("huge.zip"),
                              {{gallery, manifest},
                               {first.imageFile, "x", 1536ull << 20},
                               {first.mapFile, mapPng},
                               {second.imageFile, "x", 1536ull << 20}}),
                      "add up to");
        // A map entry that is a colour picture (its hash recorded as the map's).
        QByteArray colourMap = manifest;
        const QByteArray colourPng = readAll(source.absolutePath(second.imageFile));
        colourMap.replace(first.mapSha256.toUtf8(), ldm::bridge::sha256Hex(colourPng).toUtf8());
        expectRefusal(makeZip(QStringLiteral("colour-map.zip"),
                              {{gallery, colourMap}, {first.imageFile, firstPng},
                               {first.mapFile, colourPng}, {second.imageFile, secondPng}}),
                      "is not a label map");
        // A FIFO named .zip is refused without blocking.
        const QString fifo = dir.filePath(QStringLiteral("x.zip"));
        QCOMPARE(::mkfifo(QFile::encodeName(fifo).constData(), 0600), 0);
        auto done = std::async(std::launch::async,
                               [&] { return ldm::bridge::readGalleryArchive(fifo, {}); });
        if (done.wait_for(std::chrono::seconds(10)) == std::future_status::timeout) {
            const int writer = ::open(QFile::encodeName(fifo).constData(), O_WRONLY | O_NONBLOCK);
            if (writer >= 0)
                ::close(writer);
            QFAIL("the import blocked on a FIFO");
        }
        const auto contents = done.get();
        QVERIFY(contents.error);
        QVERIFY2(QString::fromStdString(contents.error->message)
                     .contains(QLatin1String("is not a regular file (a FIFO)")),
                 contents.error->message.c_str());
        // Pictures and recipes read from a FIFO are refused the same way.
        const auto image = ldm::bridge::readImageChecked(fifo);
        QVERIFY(!image.ok());
        QVERIFY(!ldm::bridge::readRecipeFromImage(fifo).ok());
    }

    void readsParametersFromForeignPng()
    {
        QTemporaryDir dir;
        QImage image = picture(9, QSize(16, 16));
        image.setText(QStringLiteral("parameters"),
                      QStringLiteral("a red star\nSteps: 20, Sampler: DPM++ 2M Karras, CFG scale: "
                                     "7, Seed: 377404987, Size: 512x512, Model hash: c6bbc15e32"));
        const QString path = dir.filePath(QStringLiteral("a1111.png"));
        QVERIFY(image.save(path));
        auto found = ldm::bridge::readRecipeFromImage(path);
        QVERIFY(found.ok());
        QVERIFY(!found->lossless);
        QCOMPARE(found->recipe.seed, 377404987ULL);
        QCOMPARE(found->recipe.sampler, std::string("dpmpp_2m"));

        const QString plain = dir.filePath(QStringLiteral("plain.png"));
        QVERIFY(picture(1, QSize(8, 8)).save(plain));
        QVERIFY(!ldm::bridge::readRecipeFromImage(plain).ok());
        QVERIFY(!ldm::bridge::readRecipeFromImage(dir.filePath(QStringLiteral("none.png"))).ok());
    }
};

QTEST_MAIN(TestGalleryStore)
#include "tst_gallery_store.moc"
