// SPDX-License-Identifier: GPL-3.0-or-later
#include "train/image_crops.h"

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

namespace ldm::train {
namespace {

namespace fs = std::filesystem;

// Scene seeds of held-out renders live far from the training pool's (which mixes small
// indices), so a test on "unseen" landscapes really is unseen.
constexpr uint64_t HeldOutSceneBase = 0x5EED0000000ull;

bool isImageFile(const fs::path& path)
{
    std::string ext = path.extension().string();
    std::transform(ext.begin(), ext.end(), ext.begin(),
                   [](unsigned char c) { return char(std::tolower(c)); });
    return ext == ".jpg" || ext == ".jpeg" || ext == ".png" || ext == ".webp" || ext == ".bmp" ||
           ext == ".tif" || ext == ".tiff" || ext == ".ppm";
}

std::vector<std::string> imagesIn(const fs::path& folder)
{
    std::vector<std::string> out;
    std::error_code ec;
    for (fs::recursive_directory_iterator it(folder, ec), end; !ec && it != end; it.increment(ec))
        if (it->is_regular_file(ec) && isImageFile(it->path()))
            out.push_back(it->path().string());
    std::sort(out.begin(), out.end());
    return out;
}

std::string lowerWord(std::string word)
{
    while (!word.empty() && (word.back() == ':' || word.back() == ']'))
        word.pop_back();
    if (!word.empty() && word.front() == '[')
        word.erase(0, 1);
    std::transform(word.begin(), word.end(), word.begin(),
                   [](unsigned char c) { return char(std::tolower(c)); });
    return word;
}

/// 1 for a training-split word, 2 for a held-out one, 0 for anything else.
int splitKind(const std::string& token)
{
    const std::string word = lowerWord(token);
    if (word == "train" || word == "training")
        return 1;
    if (word == "val" || word == "valid" || word == "validation" || word == "test" ||
        word == "eval" || word == "holdout" || word == "held-out" || word == "heldout")
        return 2;
    return 0;
}

cv::Mat areaResizeShortSide(const cv::Mat& image, int64_t shortSide)
{
    const int shortNow = std::min(image.cols, image.rows);
    if (shortSide <= 0 || shortNow <= shortSide)
        return image;
    const double scale = double(shortSide) / shortNow;
    cv::Mat out;
    cv::resize(image, out,
               cv::Size(std::max(1, int(std::lround(image.cols * scale))),
                        std::max(1, int(std::lround(image.rows * scale)))),
               0, 0, cv::INTER_AREA);
    return out;
}

} // namespace

Result<PhotoSplit> readPhotoSplit(const std::string& folderText)
{
    const fs::path folder(folderText);
    std::error_code ec;
    if (!fs::is_directory(folder, ec))
        return makeError(ErrorCode::InvalidFile,
                         "photo folder '" + folderText +
                             "' does not exist (scripts/fetch-photos.sh fills data/photos)");
    PhotoSplit split;
    const fs::path listFile = folder / "split.txt";
    if (fs::is_regular_file(listFile, ec)) {
        std::ifstream in(listFile);
        std::string line;
        int section = 0;
        int lineNumber = 0;
        while (std::getline(in, line)) {
            ++lineNumber;
            if (auto hash = line.find('#'); hash != std::string::npos)
                line.erase(hash);
            std::replace_if(
                line.begin(), line.end(),
                [](char c) { return c == '\t' || c == ',' || c == ';' || c == '\r'; }, ' ');
            std::istringstream words(line);
            std::vector<std::string> tokens;
            for (std::string token; words >> token;)
                tokens.push_back(token);
            if (tokens.empty())
                continue;
            int kind = 0;
            std::string name;
            if (tokens.size() == 1 && splitKind(tokens[0])) {
                section = splitKind(tokens[0]);
                continue;
            }
            if (tokens.size() >= 2 && splitKind(tokens[0])) {
                kind = splitKind(tokens[0]);
                name = tokens[1];
            } else if (tokens.size() >= 2 && splitKind(tokens.back())) {
                kind = splitKind(tokens.back());
                name = tokens[0];
            } else {
                kind = section;
                name = tokens[0];
            }
            if (!kind) {
                split.warnings.push_back("split.txt line " + std::to_string(lineNumber) +
                                         ": no train/val word, skipped");
                continue;
            }
            fs::path path = folder / name;
            if (!fs::is_regular_file(path, ec))
                path = folder / fs::path(name).filename();
            if (!fs::is_regular_file(path, ec)) {
                split.warnings.push_back("split.txt names a missing file: " + name);
                continue;
            }
            (kind == 1 ? split.train : split.val).push_back(path.string());
        }
        return split;
    }
    if (fs::is_directory(folder / "train", ec)) {
        split.train = imagesIn(folder / "train");
        if (fs::is_directory(folder / "val", ec))
            split.val = imagesIn(folder / "val");
        return split;
    }
    const auto all = imagesIn(folder);
    for (size_t i = 0; i < all.size(); ++i)
        (i % 8 == 7 ? split.val : split.train).push_back(all[i]);
    if (!all.empty())
        split.warnings.push_back("no split.txt in " + folderText +
                                 ": holding out every 8th image by name");
    return split;
}

Result<cv::Mat> loadRgbImage(const std::string& path, int64_t maxShortSide)
{
    cv::Mat bgr;
    try {
        bgr = cv::imread(path, cv::IMREAD_COLOR);
    } catch (const cv::Exception& error) {
        return makeError(ErrorCode::InvalidFile, "cannot read " + path + ": " + error.what());
    }
    if (bgr.empty())
        return makeError(ErrorCode::InvalidFile,
                         "cannot read " + path + " (missing, unreadable or not an image)");
    cv::Mat rgb;
    cv::cvtColor(bgr, rgb, cv::COLOR_BGR2RGB);
    return areaResizeShortSide(rgb, maxShortSide);
}

torch::Tensor cropsToTensor(const std::vector<cv::Mat>& crops, bool channelsLast)
{
    if (crops.empty())
        return torch::empty({0, 3, 0, 0});
    const int64_t count = int64_t(crops.size()), rows = crops[0].rows, cols = crops[0].cols;
    auto out = torch::empty({count, 3, rows, cols}, torch::kFloat32)
                   .contiguous(channelsLast ? at::MemoryFormat::ChannelsLast
                                            : at::MemoryFormat::Contiguous);
    float* base = out.data_ptr<float>();
    // Element strides of the layout in use: (c, y, x) of one item.
    const int64_t cStride = out.stride(1), yStride = out.stride(2), xStride = out.stride(3);
    for (int64_t i = 0; i < count; ++i) {
        const cv::Mat& crop = crops[size_t(i)];
        TORCH_CHECK(crop.rows == rows && crop.cols == cols && crop.type() == CV_8UC3,
                    "cropsToTensor: the crops differ in size or are not RGB bytes");
        float* item = base + i * out.stride(0);
        for (int64_t y = 0; y < rows; ++y) {
            const uint8_t* row = crop.ptr<uint8_t>(int(y));
            for (int64_t x = 0; x < cols; ++x)
                for (int64_t c = 0; c < 3; ++c)
                    // Same float operations as (v / 127.5) − 1 on a tensor.
                    item[c * cStride + y * yStride + x * xStride] =
                        float(row[x * 3 + c]) / 127.5f - 1.0f;
        }
    }
    return out;
}

std::vector<cv::Mat> tensorToCrops(const torch::Tensor& batch)
{
    const auto bytes = batch.detach()
                           .to(torch::kCPU, torch::kFloat32)
                           .add(1.0)
                           .mul(127.5)
                           .round()
                           .clamp(0, 255)
                           .to(torch::kUInt8)
                           .permute({0, 2, 3, 1})
                           .contiguous();
    std::vector<cv::Mat> out;
    for (int64_t i = 0; i < bytes.size(0); ++i) {
        const auto item = bytes[i];
        cv::Mat view(int(item.size(0)), int(item.size(1)), CV_8UC3, item.data_ptr());
        out.push_back(view.clone());
    }
    return out;
}

CropSource::CropSource(AeDataConfig config, uint64_t seed)
    : m_config(std::move(config))
    , m_seed(seed)
{
}

Result<CropSource> CropSource::create(const AeDataConfig& config, uint64_t seed, bool requirePhotos)
{
    CropSource source(config, seed);
    auto split = readPhotoSplit(config.photos);
    if (!split) {
        if (requirePhotos)
            return split.error();
        source.m_warnings.push_back(split.error().message);
    } else {
        source.m_warnings = split->warnings;
        const int64_t largest =
            *std::max_element(config.photoShortSides.begin(), config.photoShortSides.end());
        for (const auto& path : split->train) {
            auto image = loadRgbImage(path, largest);
            if (!image) {
                source.m_warnings.push_back(image.error().message);
                continue;
            }
            std::set<int64_t> sides;
            for (int64_t side : config.photoShortSides)
                sides.insert(std::min<int64_t>(side, std::min(image->cols, image->rows)));
            std::vector<cv::Mat> levels;
            for (int64_t side : sides)
                if (side >= config.cropSize)
                    levels.push_back(areaResizeShortSide(*image, side));
            if (levels.empty())
                source.m_warnings.push_back(path + " is smaller than one crop, skipped");
            else
                source.m_trainPhotos.push_back(std::move(levels));
        }
        for (const auto& path : split->val) {
            auto image = loadRgbImage(path, config.valShortSide);
            if (image && std::min(image->cols, image->rows) >= config.cropSize)
                source.m_valPhotos.push_back(image.value());
            else if (!image)
                source.m_warnings.push_back(image.error().message);
        }
    }
    if (source.m_trainPhotos.empty()) {
        if (requirePhotos)
            return makeError(ErrorCode::InvalidFile,
                             "no usable training photos in '" + config.photos +
                                 "' (run scripts/fetch-photos.sh, or set landscape_share: 1)");
        if (config.landscapeShare < 1)
            source.m_warnings.push_back("training on landscape renders only (no photos)");
    }
    source.syncLandscapePool(0);
    return source;
}

cv::Mat CropSource::renderScene(uint64_t sceneSeed, int64_t size) const
{
    auto sample = m_generator.generate(sceneSeed, int(size), int(size));
    if (sample.image.empty()) // cannot happen for sizes the config accepts; stay safe anyway
        return cv::Mat(int(size), int(size), CV_8UC3, cv::Scalar(128, 128, 128));
    return sample.image;
}

void CropSource::syncLandscapePool(int64_t completedSteps)
{
    // Refresh k (k = 0, 1, ...) happens after step k·R and replaces entry k mod N, so the pool
    // of any step can be rebuilt without replaying the run.
    const int64_t n = int64_t(m_config.landscapePool);
    const int64_t refreshes =
        m_config.landscapeRefreshEvery > 0 ? completedSteps / m_config.landscapeRefreshEvery : 0;
    if (m_pool.size() != size_t(n)) {
        m_pool.assign(size_t(n), cv::Mat());
        m_poolGeneration.assign(size_t(n), -1);
    }
    for (int64_t i = 0; i < n; ++i) {
        const int64_t generation = refreshes > i ? (refreshes - 1 - i) / n + 1 : 0;
        if (m_poolGeneration[size_t(i)] == generation)
            continue;
        m_pool[size_t(i)] =
            renderScene(mixSeed(m_seed, uint64_t(i), uint64_t(generation)), m_config.landscapeSize);
        m_poolGeneration[size_t(i)] = generation;
    }
}

cv::Mat CropSource::randomCrop(const cv::Mat& image, TrainRng& rng) const
{
    const int64_t crop = m_config.cropSize;
    const int64_t limit = std::min<int64_t>(image.cols, image.rows);
    const int64_t side = std::min<int64_t>(
        limit, std::lround(double(crop) * rng.uniform(1.0, m_config.scaleJitter)));
    const int x = int(rng.below(uint64_t(image.cols - side + 1)));
    const int y = int(rng.below(uint64_t(image.rows - side + 1)));
    cv::Mat out = image(cv::Rect(x, y, int(side), int(side)));
    if (side != crop)
        cv::resize(out, out, cv::Size(int(crop), int(crop)), 0, 0, cv::INTER_AREA);
    else
        out = out.clone();
    if (m_config.flip && rng.chance(0.5))
        cv::flip(out, out, 1);
    return out;
}

std::vector<cv::Mat> CropSource::trainCrops(int64_t count, TrainRng& rng, int64_t completedSteps)
{
    syncLandscapePool(completedSteps);
    std::vector<cv::Mat> crops;
    for (int64_t i = 0; i < count; ++i) {
        const bool landscape = m_trainPhotos.empty() || rng.chance(m_config.landscapeShare);
        if (landscape) {
            crops.push_back(randomCrop(m_pool[rng.below(m_pool.size())], rng));
        } else {
            const auto& levels = m_trainPhotos[rng.below(m_trainPhotos.size())];
            crops.push_back(randomCrop(levels[rng.below(levels.size())], rng));
        }
    }
    return crops;
}

torch::Tensor CropSource::trainBatch(int64_t count, TrainRng& rng, int64_t completedSteps,
                                     bool channelsLast)
{
    return cropsToTensor(trainCrops(count, rng, completedSteps), channelsLast);
}

std::vector<cv::Mat> CropSource::landscapeCrops(int64_t count, int64_t size) const
{
    std::vector<cv::Mat> out;
    const int64_t perScene = 4;
    cv::Mat scene;
    for (int64_t i = 0; i < count; ++i) {
        if (i % perScene == 0)
            scene = renderScene(HeldOutSceneBase + uint64_t(i / perScene),
                                std::max<int64_t>(m_config.landscapeSize, size));
        TrainRng rng(mixSeed(HeldOutSceneBase, uint64_t(i)));
        const int x = int(rng.below(uint64_t(scene.cols - size + 1)));
        const int y = int(rng.below(uint64_t(scene.rows - size + 1)));
        out.push_back(scene(cv::Rect(x, y, int(size), int(size))).clone());
    }
    return out;
}

std::vector<cv::Mat> CropSource::heldOutCrops(int64_t count, int64_t size) const
{
    auto crops = fixedCrops(m_valPhotos, count, size);
    return crops.empty() ? landscapeCrops(count, size) : crops;
}

std::vector<cv::Mat> fixedCrops(const std::vector<cv::Mat>& images, int64_t count, int64_t size)
{
    std::vector<const cv::Mat*> usable;
    for (const auto& image : images)
        if (image.cols >= size && image.rows >= size)
            usable.push_back(&image);
    std::vector<cv::Mat> out;
    if (usable.empty())
        return out;
    for (int64_t i = 0; i < count; ++i) {
        const cv::Mat& image = *usable[size_t(i) % usable.size()];
        TrainRng rng(mixSeed(0xC0FFEEull, uint64_t(i), uint64_t(size)));
        const int x = int(rng.below(uint64_t(image.cols - size + 1)));
        const int y = int(rng.below(uint64_t(image.rows - size + 1)));
        out.push_back(image(cv::Rect(x, y, int(size), int(size))).clone());
    }
    return out;
}

Result<std::vector<cv::Mat>> loadHeldOutPhotos(const std::string& folder, int64_t shortSide,
                                               std::vector<std::string>* warnings)
{
    auto split = readPhotoSplit(folder);
    if (!split)
        return split.error();
    std::vector<cv::Mat> photos;
    for (const auto& path : split->val) {
        auto image = loadRgbImage(path, shortSide);
        if (image)
            photos.push_back(image.value());
        else if (warnings)
            warnings->push_back(image.error().message);
    }
    if (photos.empty())
        return makeError(ErrorCode::InvalidFile, "no held-out photos in '" + folder +
                                                     "' (split.txt lists no readable val image)");
    return photos;
}

} // namespace ldm::train
