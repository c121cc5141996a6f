// SPDX-License-Identifier: GPL-3.0-or-later
#include "train/ldm_data.h"

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <algorithm>

namespace ldm::train {
namespace {

// Streams of mixSeed(seed, counter, stream): training scenes, held-out scenes, SR draws.
constexpr uint64_t TrainScenes = 11;
constexpr uint64_t HeldOutScenes = 12;
constexpr uint64_t SuperResDraws = 13;
constexpr uint64_t HeldOutDraws = 14;
constexpr uint64_t CaptionScenes = 15;

} // namespace

torch::Tensor oneHotMap(const torch::Tensor& labels, int64_t classes)
{
    const auto ids =
        torch::arange(classes, labels.options().dtype(torch::kLong)).view({1, -1, 1, 1});
    return labels.to(torch::kLong).unsqueeze(1).eq(ids).to(torch::kFloat32);
}

void eraseRandomRectangle(torch::Tensor labels, TrainRng& rng)
{
    const int64_t h = labels.size(0), w = labels.size(1);
    const int64_t rh = std::max<int64_t>(1, int64_t(rng.uniform(0.25, 0.75) * double(h)));
    const int64_t rw = std::max<int64_t>(1, int64_t(rng.uniform(0.25, 0.75) * double(w)));
    const int64_t y = int64_t(rng.below(uint64_t(h - rh + 1)));
    const int64_t x = int64_t(rng.below(uint64_t(w - rw + 1)));
    labels.slice(0, y, y + rh).slice(1, x, x + rw).fill_(UnknownClass);
}

cv::Mat degradeForSuperRes(const cv::Mat& hr, const LdmDataSection& config, TrainRng& rng)
{
    cv::Mat work = hr;
    const double sigma = rng.uniform(0.0, config.blurMax);
    if (sigma > 0.1)
        cv::GaussianBlur(hr, work, cv::Size(0, 0), sigma);
    cv::Mat lr;
    const cv::Size size(hr.cols / 4, hr.rows / 4);
    // Area is what most "save smaller" tools do; bicubic keeps some aliasing. Both occur in
    // images users bring, so the model sees both.
    cv::resize(work, lr, size, 0, 0, rng.chance(0.5) ? cv::INTER_AREA : cv::INTER_CUBIC);
    const double noise = rng.uniform(0.0, config.noiseMax) * 255.0;
    if (noise > 0.25) {
        cv::Mat grain(lr.size(), CV_32FC3);
        cv::RNG cvRng(rng.next());
        cvRng.fill(grain, cv::RNG::NORMAL, 0.0, noise);
        cv::Mat sum;
        lr.convertTo(sum, CV_32FC3);
        sum += grain;
        sum.convertTo(lr, CV_8UC3); // saturating
    }
    if (rng.chance(config.jpegChance)) {
        const int quality =
            int(config.jpegQualityMin + int64_t(rng.below(uint64_t(96 - config.jpegQualityMin))));
        std::vector<uchar> bytes;
        cv::Mat bgr;
        cv::cvtColor(lr, bgr, cv::COLOR_RGB2BGR);
        if (cv::imencode(".jpg", bgr, bytes, {cv::IMWRITE_JPEG_QUALITY, quality})) {
            cv::Mat decoded = cv::imdecode(bytes, cv::IMREAD_COLOR);
            if (!decoded.empty())
                cv::cvtColor(decoded, lr, cv::COLOR_BGR2RGB);
        }
    }
    return lr;
}

Result<LdmDataSource> LdmDataSource::create(const LdmTrainConfig& config, bool requirePhotos)
{
    LdmDataSource source;
    source.m_config = config;
    if (config.isSuperRes()) {
        auto crops = CropSource::create(config.data.photos, config.loop.seed, requirePhotos);
        if (!crops)
            return crops.error();
        source.m_warnings = crops->warnings();
        source.m_crops.emplace(std::move(crops.value()));
    }
    return source;
}

LdmBatch LdmDataSource::landscapeBatch(const std::vector<uint64_t>& sceneSeeds) const
{
    // Plain loops rather than tensor ops: this runs on the prefetch thread, where a parallel
    // tensor op would start a second OpenMP team beside the training step's.
    const int size = int(m_config.data.imageSize);
    std::vector<cv::Mat> images;
    LdmBatch batch;
    batch.labels = torch::empty({int64_t(sceneSeeds.size()), size, size}, torch::kLong);
    int64_t* labels = batch.labels.data_ptr<int64_t>();
    for (uint64_t seed : sceneSeeds) {
        data::LandscapeSample sample = m_generator.generate(seed, size, size);
        images.push_back(sample.image);
        for (int y = 0; y < size; ++y) {
            const uint8_t* row = sample.labels.ptr<uint8_t>(y);
            for (int x = 0; x < size; ++x)
                *labels++ = row[x];
        }
        batch.captions.push_back(sample.caption);
    }
    batch.images = cropsToTensor(images);
    return batch;
}

LdmBatch LdmDataSource::superResBatch(const std::vector<cv::Mat>& hr, TrainRng& rng) const
{
    LdmBatch batch;
    batch.images = cropsToTensor(hr);
    std::vector<cv::Mat> lows;
    for (const cv::Mat& crop : hr)
        lows.push_back(degradeForSuperRes(crop, m_config.data, rng));
    batch.lowres = cropsToTensor(lows);
    return batch;
}

LdmBatch LdmDataSource::trainBatch(int64_t step)
{
    const auto& loop = m_config.loop;
    if (m_crops) {
        TrainRng rng(mixSeed(loop.seed, uint64_t(step), SuperResDraws));
        return superResBatch(m_crops->trainCrops(loop.batchSize, rng, step), rng);
    }
    std::vector<uint64_t> seeds;
    for (int64_t i = 0; i < loop.batchSize; ++i)
        seeds.push_back(mixSeed(loop.seed, uint64_t(step * loop.batchSize + i), TrainScenes));
    return landscapeBatch(seeds);
}

LdmBatch LdmDataSource::heldOut(int64_t count)
{
    if (m_crops) {
        TrainRng rng(mixSeed(m_config.loop.seed, 0, HeldOutDraws));
        const auto crops = m_crops->heldOutCrops(count, m_config.data.imageSize);
        return superResBatch(crops, rng);
    }
    std::vector<uint64_t> seeds;
    for (int64_t i = 0; i < count; ++i)
        seeds.push_back(mixSeed(m_config.loop.seed, uint64_t(i), HeldOutScenes));
    return landscapeBatch(seeds);
}

std::vector<std::string> LdmDataSource::corpusCaptions(int64_t count) const
{
    std::vector<std::string> captions;
    captions.reserve(size_t(count));
    // Captions depend on the scene, not on the size: a small render is enough.
    for (int64_t i = 0; i < count; ++i)
        captions.push_back(
            m_generator.generate(mixSeed(m_config.loop.seed, uint64_t(i), CaptionScenes), 64, 64)
                .caption);
    return captions;
}

} // namespace ldm::train
