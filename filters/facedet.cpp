// facedet: the C interface of facedet.h over OpenCV 4.6 (BlazeFace through
// cv::dnn, Haar cascades through objdetect). The only C++ file in igprep:
// OpenCV 4 has no C API. Every exception is caught at this boundary.
#include "facedet.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <exception>
#include <mutex>
#include <string>
#include <system_error>
#include <thread>
#include <vector>

#include <glib.h>
#include <opencv2/core.hpp>
#include <opencv2/dnn.hpp>
#include <opencv2/imgproc.hpp>
#include <opencv2/objdetect.hpp>
#include <sys/stat.h>

extern "C" {
#include "error.h"
#include "i18n.h"
}

namespace
{

// BlazeFace front-128: a 128×128 input; face widths of about 16–96 px
// inside one input are found reliably (measured, docs/faces.md).
constexpr int kInput = 128;
// The pyramid's first level maps the smallest face to this many input
// pixels: BlazeFace scores a 24-30 px face of a crowd 0.4-0.8 at 22 px,
// 0.5-0.9 at 26-32 (measured, docs/faces.md). Videos use the same pyramid,
// so a still frame of a video gives the faces a photo of it would.
constexpr float kSmallestInInput = IGP_FACEDET_MIN_FACE_INPUT;
constexpr float kLargestInInput = 80.0f; // each level hands over below 96
constexpr int kTileStride = kInput * 3 / 4;
constexpr float kNmsIou = 0.3f;
// Videos: a tile is "still" while no 8×8 block of it has changed its mean
// grey by more than kStillLevels since the network last ran on it (sensor
// grain moves a block mean by well under one level; a face moving by one
// pixel of the level moves the blocks on its edges by several). The network
// still sees every tile at least every kRefresh-th call.
constexpr int kBlock = 8;
constexpr int kStillLevels = 3;
constexpr int kRefresh = 15;

struct Anchor {
    float cx, cy; // anchor centre in input pixels
};

// MediaPipe's SSD anchors for the front model: 16×16 cells × 2 anchors at
// stride 8, then 8×8 cells × 6 anchors at stride 16, all of unit size.
std::vector<Anchor> make_anchors()
{
    std::vector<Anchor> anchors;
    const int grids[2] = {16, 8}, per_cell[2] = {2, 6};
    for (int layer = 0; layer < 2; layer++) {
        const int g = grids[layer];
        for (int y = 0; y < g; y++)
            for (int x = 0; x < g; x++)
                for (int a = 0; a < per_cell[layer]; a++)
                    anchors.push_back({(x + 0.5f) * kInput / g, (y + 0.5f) * kInput / g});
    }
    return anchors;
}

bool file_exists(const char *path)
{
    struct stat st;
    return path && stat(path, &st) == 0;
}

float iou(const IgpFaceBox &a, const IgpFaceBox &b)
{
    const float x0 = std::max(a.x, b.x), y0 = std::max(a.y, b.y);
    const float x1 = std::min(a.x + a.w, b.x + b.w), y1 = std::min(a.y + a.h, b.y + b.h);
    const float inter = std::max(0.0f, x1 - x0) * std::max(0.0f, y1 - y0);
    const float uni = a.w * a.h + b.w * b.h - inter;
    return uni > 0 ? inter / uni : 0.0f;
}

float sigmoid(float logit)
{
    logit = std::max(-80.0f, std::min(80.0f, logit));
    return 1.0f / (1.0f + std::exp(-logit));
}

} // namespace

struct IgpFaceDetector {
    IgpFaceBackend backend;
    std::string model_path;
    cv::dnn::Net net;
    std::vector<cv::dnn::Net> workers; // stills: one network per thread, made on first use
    std::vector<Anchor> anchors;
    cv::CascadeClassifier frontal, profile; // BlazeFace: the second opinion, when installed
    bool have_cascades = false;
    // BlazeFace: the cascades (about 20 ms of XML) load on a thread of their
    // own while the first photo is decoded and searched; cascades_ready()
    // waits for it, once, when a doubtful candidate needs them.
    std::thread cascade_loader;
    std::once_flag cascades_loaded;
    ~IgpFaceDetector()
    {
        if (cascade_loader.joinable())
            cascade_loader.join();
    }
    std::mutex lock;      // cv::dnn::Net is not reentrant
    std::mutex haar_lock; // nor is a cascade (video sessions share the detector's)
};

namespace
{

// One detection of the network, in the pixels of the input it ran on: the
// box, the score and the six keypoints (IgpFaceKeypoint order: MediaPipe's
// regressor outputs 4..15 are the person's right eye, left eye, nose tip,
// mouth, right ear, left ear; the person's right is the image's left).
struct Raw {
    float x, y, w, h, score;
    float kp[IGP_KP_COUNT * 2];
    int support; // merged candidates: how many detections (tiles, levels, anchors) agree
};

// Run BlazeFace on one 128×128 RGB tile; append what scores at least
// @p score (in tile pixels).
void blazeface_raw(cv::dnn::Net &net, const std::vector<Anchor> &anchors, const cv::Mat &tile,
                   float score, std::vector<Raw> &found)
{
    // NHWC float input scaled to [-1, 1], as the barracuda export expects.
    int dims[4] = {1, kInput, kInput, 3};
    cv::Mat blob(4, dims, CV_32F);
    cv::Mat view(kInput, kInput, CV_32FC3, blob.ptr<float>());
    tile.convertTo(view, CV_32FC3, 2.0 / 255.0, -1.0);
    net.setInput(blob);
    std::vector<cv::Mat> outs;
    net.forward(outs, net.getUnconnectedOutLayersNames());

    // Outputs by size: logits 512 and 384, regressors 512×16 and 384×16.
    const float *logits[2] = {nullptr, nullptr}, *regs[2] = {nullptr, nullptr};
    for (const cv::Mat &m : outs) {
        const size_t n = m.total();
        if (n == 512)
            logits[0] = m.ptr<float>();
        else if (n == 384)
            logits[1] = m.ptr<float>();
        else if (n == 512 * 16)
            regs[0] = m.ptr<float>();
        else if (n == 384 * 16)
            regs[1] = m.ptr<float>();
    }
    if (!logits[0] || !logits[1] || !regs[0] || !regs[1])
        throw cv::Exception(cv::Error::StsBadSize, "unexpected BlazeFace outputs", __func__,
                            __FILE__, __LINE__);
    const float min_logit = std::log(score / (1.0f - score));
    for (int layer = 0, base = 0; layer < 2; base += layer == 0 ? 512 : 384, layer++) {
        const int count = layer == 0 ? 512 : 384;
        for (int i = 0; i < count; i++) {
            if (logits[layer][i] < min_logit)
                continue;
            const float *r = regs[layer] + i * 16;
            const Anchor &a = anchors[base + i];
            const float cx = a.cx + r[0], cy = a.cy + r[1], w = r[2], h = r[3];
            if (w <= 1 || h <= 1)
                continue;
            Raw d{cx - w / 2, cy - h / 2, w, h, sigmoid(logits[layer][i]), {}, 1};
            for (int k = 0; k < IGP_KP_COUNT; k++) {
                d.kp[2 * k] = a.cx + r[4 + 2 * k];
                d.kp[2 * k + 1] = a.cy + r[5 + 2 * k];
            }
            found.push_back(d);
        }
    }
}

// Tile origins along one axis so that tiles of kInput overlap by a quarter
// and the last one ends on the edge.
std::vector<int> tile_origins(int length)
{
    std::vector<int> o;
    if (length <= kInput)
        return {0};
    for (int p = 0;; p += kTileStride) {
        if (p + kInput >= length) {
            o.push_back(length - kInput);
            break;
        }
        o.push_back(p);
    }
    return o;
}

// One level of the image pyramid, cut into tiles of kInput.
struct Level {
    cv::Mat scaled;
    double scale;
    float min_in_input; // smaller faces belong to a finer level
    std::vector<cv::Point> tiles;
};

// Finer levels first; each next level takes over the faces that grew too
// large for the last, until the whole image fits one tile.
std::vector<Level> make_pyramid(const cv::Mat &rgb, int min_face)
{
    std::vector<Level> levels;
    const int longest = std::max(rgb.cols, rgb.rows);
    double scale = kSmallestInInput / std::max(min_face, 8);
    for (int i = 0;; i++) {
        Level l;
        l.scale = scale;
        l.min_in_input = i == 0 ? 12.0f : kSmallestInInput * 0.75f;
        cv::resize(rgb, l.scaled, cv::Size(), scale, scale,
                   scale < 1 ? cv::INTER_AREA : cv::INTER_LINEAR);
        // Small levels are padded to a whole tile with mid grey (0 after scaling).
        if (l.scaled.cols < kInput || l.scaled.rows < kInput)
            cv::copyMakeBorder(l.scaled, l.scaled, 0, std::max(0, kInput - l.scaled.rows), 0,
                               std::max(0, kInput - l.scaled.cols), cv::BORDER_CONSTANT,
                               cv::Scalar(128, 128, 128));
        for (int ty : tile_origins(l.scaled.rows))
            for (int tx : tile_origins(l.scaled.cols))
                l.tiles.push_back({tx, ty});
        levels.push_back(std::move(l));
        if (longest * scale <= kInput)
            break;
        scale = std::max(scale * kSmallestInInput / kLargestInInput, double(kInput) / longest);
    }
    return levels;
}

cv::Mat tile_pixels(const Level &l, size_t tile)
{
    return l.scaled(cv::Rect(l.tiles[tile].x, l.tiles[tile].y, kInput, kInput));
}

// ------------------------------------------------------------- stills --

// Candidates are taken from this score on (0.05 lower for a thorough pass),
// then must be confirmed (verify_candidate).
constexpr float kCandidateScore = 0.4f;
// A tile whose 32×32 blocks all have a grey standard deviation under this
// holds no face (sky, a wall, a blown-out window): the network skips it.
constexpr double kFlatTile = 3.0;
constexpr int kFlatBlock = 32;
// Re-checks: the candidate shown again, centred, at these face widths in the
// input; the first two also mirrored. Their mean is the verified score.
constexpr float kRecheckSizes[] = {40, 64, 24, 32, 96};
constexpr int kRecheckMirrored = 2;
// A face is found by at least this many overlapping detections (anchors,
// tiles, levels); a lone detection is texture.
constexpr int kMinSupport = 2;
// A candidate this sure (its best detection) needs no re-check: on the
// fixture, nothing that scored this high was anything but a face.
constexpr float kSureScore = 0.85f;
// The verified score loses kKeypointPenalty per face width that the
// re-checks' keypoints stray from the candidate's beyond kKeypointSlack (a
// face's stay within about 0.1 of a face width; a texture's wander: on the
// fixture, faces 0.03-0.2, the false boxes of face-free photos 0.12-0.4).
// What is left is accepted from the caller's score + kAloneMargin on its
// own, or from the score - kHaarMargin when a Haar cascade agrees. Tuned on
// the fixture's candidates (docs/faces.md): of the face-free photos' false
// boxes that scored 0.6, the dog, the headlight and the letters strayed
// more or found no Haar cascade to agree.
constexpr float kKeypointSlack = 0.10f;
constexpr float kKeypointPenalty = 0.5f;
constexpr float kAloneMargin = 0.02f;
constexpr float kHaarMargin = 0.15f;
// A Haar cascade's agreement rescues only a candidate whose keypoints stayed
// within this (face widths): the fixture's faces rescued so stay within
// 0.22; a star on a sample's suit patch (0.30) found Haar agreeing too.
constexpr float kHaarMaxKeypointError = 0.25f;

// Run @p count jobs over @p workers threads; job(worker, index).
template <typename Job> void parallel(size_t workers, size_t count, Job job)
{
    std::atomic<size_t> next{0};
    std::exception_ptr failure;
    std::mutex failure_lock;
    auto work = [&](size_t worker) {
        try {
            for (size_t i; (i = next++) < count;)
                job(worker, i);
        } catch (...) {
            std::lock_guard<std::mutex> guard(failure_lock);
            failure = std::current_exception();
        }
    };
    std::vector<std::thread> helpers;
    for (size_t w = 1; w < workers && w < count; w++)
        helpers.emplace_back(work, w);
    work(0);
    for (std::thread &t : helpers)
        t.join();
    if (failure)
        std::rethrow_exception(failure);
}

bool has_detail(const cv::Mat &tile)
{
    cv::Mat grey;
    cv::cvtColor(tile, grey, cv::COLOR_RGB2GRAY);
    for (int y = 0; y + kFlatBlock <= grey.rows; y += kFlatBlock)
        for (int x = 0; x + kFlatBlock <= grey.cols; x += kFlatBlock) {
            cv::Scalar mean, dev;
            cv::meanStdDev(grey(cv::Rect(x, y, kFlatBlock, kFlatBlock)), mean, dev);
            if (dev[0] >= kFlatTile)
                return true;
        }
    return false;
}

float raw_iou(const Raw &a, const Raw &b)
{
    const IgpFaceBox x{a.x, a.y, a.w, a.h, 0}, y{b.x, b.y, b.w, b.h, 0};
    return iou(x, y);
}

// Weighted NMS: each cluster of overlapping boxes (the same face found by
// neighbouring anchors, tiles and pyramid levels) becomes its score-weighted
// mean, keypoints included, which is steadier than keeping the single best
// box; a cluster's score is its best member's, its support how many
// detections it merged.
std::vector<Raw> weighted_nms(std::vector<Raw> raws)
{
    std::sort(raws.begin(), raws.end(),
              [](const Raw &a, const Raw &b) { return a.score > b.score; });
    std::vector<bool> used(raws.size(), false);
    std::vector<Raw> out;
    for (size_t i = 0; i < raws.size(); i++) {
        if (used[i])
            continue;
        double sum[4 + IGP_KP_COUNT * 2] = {0}, total = 0;
        int support = 0;
        for (size_t j = i; j < raws.size(); j++) {
            if (used[j] || raw_iou(raws[i], raws[j]) < kNmsIou)
                continue;
            used[j] = true;
            const Raw &r = raws[j];
            const float v[4] = {r.x, r.y, r.w, r.h};
            for (int k = 0; k < 4; k++)
                sum[k] += r.score * v[k];
            for (int k = 0; k < IGP_KP_COUNT * 2; k++)
                sum[4 + k] += r.score * r.kp[k];
            total += r.score;
            support++;
        }
        Raw m{};
        m.x = float(sum[0] / total), m.y = float(sum[1] / total);
        m.w = float(sum[2] / total), m.h = float(sum[3] / total);
        for (int k = 0; k < IGP_KP_COUNT * 2; k++)
            m.kp[k] = float(sum[4 + k] / total);
        m.score = raws[i].score;
        m.support = support;
        out.push_back(m);
    }
    return out;
}

// Do the keypoints have a face's geometry? Eyes apart by at least a fifth
// of the box, their line within 50° of level (BlazeFace finds faces rolled
// to 45°), nose and mouth between them (not beyond 0.6 eye distances to a
// side), seen from the eyes towards the chin.
bool plausible(const Raw &c)
{
    const float ex = c.kp[2] - c.kp[0], ey = c.kp[3] - c.kp[1];
    const float eyes = std::hypot(ex, ey);
    if (eyes < 0.2f * c.w || std::fabs(std::atan2(ey, ex)) > 50.0f * float(M_PI) / 180.0f)
        return false;
    const float mx = (c.kp[0] + c.kp[2]) / 2, my = (c.kp[1] + c.kp[3]) / 2;
    const float ux = ex / eyes, uy = ey / eyes;
    for (int k : {IGP_KP_NOSE, IGP_KP_MOUTH}) {
        const float dx = c.kp[2 * k] - mx, dy = c.kp[2 * k + 1] - my;
        if (std::fabs(dx * ux + dy * uy) > 0.6f * eyes || dx * -uy + dy * ux <= 0)
            return false;
    }
    return true;
}

// A @p size × @p size view of @p img centred on (cx, cy) at @p scale input
// pixels per image pixel, grey (0 after scaling) outside the image.
cv::Mat centred_view(const cv::Mat &img, double cx, double cy, double scale, int size)
{
    cv::Mat view(size, size, CV_8UC3, cv::Scalar(128, 128, 128));
    const double half = size / 2.0 / scale;
    const cv::Rect2d want(cx - half, cy - half, 2 * half, 2 * half);
    const cv::Rect2d have = want & cv::Rect2d(0, 0, img.cols, img.rows);
    if (have.width < 1 || have.height < 1)
        return view;
    const cv::Rect src(int(std::floor(have.x)), int(std::floor(have.y)),
                       std::max(1, int(std::lround(have.width))),
                       std::max(1, int(std::lround(have.height))));
    cv::Rect dst(int(std::lround((src.x - want.x) * scale)),
                 int(std::lround((src.y - want.y) * scale)),
                 std::max(1, int(std::lround(src.width * scale))),
                 std::max(1, int(std::lround(src.height * scale))));
    dst &= cv::Rect(0, 0, size, size);
    if (dst.width < 1 || dst.height < 1)
        return view;
    cv::Mat part;
    cv::resize(img(src & cv::Rect(0, 0, img.cols, img.rows)), part, dst.size(), 0, 0,
               scale < 1 ? cv::INTER_AREA : cv::INTER_LINEAR);
    part.copyTo(view(dst));
    return view;
}

// What one re-check saw: the network's score for the candidate, and how far
// its keypoints lie from the candidate's (mean distance of eyes, nose and
// mouth, in face widths); a face's keypoints stay put when it is moved,
// resized or mirrored, a texture's wander.
struct Recheck {
    float score = 0, kp_error = 0;
};

// The candidate shown centred with a face of @p face_in input pixels: the
// network's best box that overlaps where the face must be.
Recheck recheck(cv::dnn::Net &net, const std::vector<Anchor> &anchors, const cv::Mat &img,
                const Raw &c, float face_in, bool mirrored)
{
    const float cx = c.x + c.w / 2, cy = c.y + c.h / 2;
    cv::Mat view = centred_view(img, cx, cy, face_in / c.w, kInput);
    if (mirrored)
        cv::flip(view, view, 1);
    std::vector<Raw> found;
    blazeface_raw(net, anchors, view, 0.05f, found);
    const float fh = face_in * c.h / c.w;
    const Raw want{kInput / 2.0f - face_in / 2, kInput / 2.0f - fh / 2, face_in, fh, 0, {}, 1};
    Recheck best;
    for (const Raw &f : found) {
        if (raw_iou(f, want) < 0.4f || f.score <= best.score)
            continue;
        best.score = f.score;
        float error = 0;
        for (int k : {IGP_KP_EYE_LEFT, IGP_KP_EYE_RIGHT, IGP_KP_NOSE, IGP_KP_MOUTH}) {
            // The same keypoint of the candidate: left and right swap in a mirror.
            const int ck = !mirrored || k > IGP_KP_EYE_RIGHT ? k : 1 - k;
            float vx = (f.kp[2 * k] - kInput / 2.0f) / face_in;
            const float vy = (f.kp[2 * k + 1] - kInput / 2.0f) / face_in;
            if (mirrored)
                vx = -vx;
            error += std::hypot(vx - (c.kp[2 * ck] - cx) / c.w, vy - (c.kp[2 * ck + 1] - cy) / c.w);
        }
        best.kp_error = error / 4;
    }
    return best;
}

// The verified score: the mean of the re-checks; candidates that the first
// two re-checks already reject stop there. @p kp_error: the mean keypoint
// error of the re-checks that saw a face.
float verified_score(cv::dnn::Net &net, const std::vector<Anchor> &anchors, const cv::Mat &img,
                     const Raw &c, float *kp_error)
{
    float sum = 0, errors = 0;
    int n = 0, seen = 0;
    const auto add = [&](const Recheck &r) {
        sum += r.score, n++;
        if (r.score > 0)
            errors += r.kp_error, seen++;
    };
    *kp_error = 1;
    for (size_t i = 0; i < std::size(kRecheckSizes); i++) {
        add(recheck(net, anchors, img, c, kRecheckSizes[i], i % 2 == 1));
        if (int(i) < kRecheckMirrored)
            add(recheck(net, anchors, img, c, kRecheckSizes[i], i % 2 == 0));
        if ((n == 2 && sum / n < 0.35f) || (n == 4 && sum / n < 0.45f))
            break;
    }
    if (seen)
        *kp_error = errors / seen;
    return sum / n;
}

// Are the cascades there for a second opinion? Waits for their loading.
bool cascades_ready(IgpFaceDetector *det)
{
    std::call_once(det->cascades_loaded, [det] {
        if (det->cascade_loader.joinable())
            det->cascade_loader.join();
    });
    return det->have_cascades;
}

// Haar's frontal or profile cascade (the profile one both ways) on the
// candidate seen with a 48 px face: a hit near its centre.
bool haar_agrees(IgpFaceDetector *det, const cv::Mat &img, const Raw &c)
{
    constexpr int face = 48, size = 96;
    cv::Mat view = centred_view(img, c.x + c.w / 2, c.y + c.h / 2, double(face) / c.w, size), grey,
            mirror;
    cv::cvtColor(view, grey, cv::COLOR_RGB2GRAY);
    cv::equalizeHist(grey, grey);
    cv::flip(grey, mirror, 1);
    std::vector<cv::Rect> hits;
    const auto near_centre = [&](const std::vector<cv::Rect> &rects) {
        for (const cv::Rect &r : rects)
            if (std::fabs(r.x + r.width / 2.0 - size / 2.0) < 0.35 * face &&
                std::fabs(r.y + r.height / 2.0 - size / 2.0) < 0.4 * face)
                return true;
        return false;
    };
    const cv::Size smallest(30, 30), largest(80, 80);
    std::lock_guard<std::mutex> guard(det->haar_lock);
    det->frontal.detectMultiScale(grey, hits, 1.08, 2, 0, smallest, largest);
    if (near_centre(hits))
        return true;
    det->profile.detectMultiScale(grey, hits, 1.08, 2, 0, smallest, largest);
    if (near_centre(hits))
        return true;
    det->profile.detectMultiScale(mirror, hits, 1.08, 2, 0, smallest, largest);
    return near_centre(hits);
}

// Does the middle of the box (its central half each way: eyes, nose,
// mouth) have detail of its own? A ring with a blank inside (a printed "o",
// a wheel, a plate) fits BlazeFace's face outline but its middle is flat:
// its grey deviation there is under kInnerDetail of the whole box's. On the
// fixture's 677 faces the least ratio is 0.29; on enlarged print, 0.07–0.23.
constexpr double kInnerDetail = 0.25;
bool inner_detail(const cv::Mat &img, const Raw &c)
{
    const cv::Rect all = cv::Rect(int(std::lround(c.x)), int(std::lround(c.y)),
                                  int(std::lround(c.w)), int(std::lround(c.h))) &
                         cv::Rect(0, 0, img.cols, img.rows);
    const cv::Rect mid = cv::Rect(int(std::lround(c.x + c.w / 4)), int(std::lround(c.y + c.h / 4)),
                                  int(std::lround(c.w / 2)), int(std::lround(c.h / 2))) &
                         cv::Rect(0, 0, img.cols, img.rows);
    if (all.width < 2 || all.height < 2 || mid.width < 2 || mid.height < 2)
        return true; // cannot tell: keep it
    cv::Mat grey;
    cv::cvtColor(img(all), grey, cv::COLOR_RGB2GRAY);
    cv::Scalar mean, dev_all, dev_mid;
    cv::meanStdDev(grey, mean, dev_all);
    cv::meanStdDev(grey(mid - all.tl()), mean, dev_mid);
    return dev_mid[0] >= kInnerDetail * dev_all[0];
}

// A face seen from the side, turned away or tilted fails plausible()'s
// frontal geometry (its eyes close together, its nose beyond them) but is
// found all the same, often with a high score: a candidate from
// kTurnedCandidate that fails it is a face when its re-checks are sure
// (verified score at least the caller's + kTurnedMargin) and its keypoints
// stay put (within kKeypointSlack). On the fixture the profile and a turned
// head of a party photo scored 0.86 and 0.84, keypoints within 0.07; the
// best of the 26 other such candidates 0.68, keypoints off by 0.16 or more.
constexpr float kTurnedCandidate = 0.6f;
constexpr float kTurnedMargin = 0.15f;

// A small face deep in a crowd (behind heads, half in shadow) can score just
// under the bar with no Haar cascade to agree; around it are faces of its
// size. A doubtful candidate is kept when at least kCrowdNeighbours of the
// @p confirmed first faces of @p faces, each 0.6-1.6 times its width, lie
// within kCrowdReach of its widths. False boxes of face-free photos have no
// such neighbours; those of group photos (a shirt's print, a hand) are
// rarely among several faces of their own size.
constexpr int kCrowdNeighbours = 3;
constexpr float kCrowdReach = 4.0f;
bool among_faces(const Raw &c, const std::vector<Raw> &faces, size_t confirmed)
{
    int near = 0;
    for (size_t j = 0; j < confirmed; j++) {
        const Raw &f = faces[j];
        const float dx = (f.x + f.w / 2) - (c.x + c.w / 2), dy = (f.y + f.h / 2) - (c.y + c.h / 2);
        if (f.w >= 0.6f * c.w && f.w <= 1.6f * c.w && std::hypot(dx, dy) <= kCrowdReach * c.w &&
            raw_iou(f, c) < kNmsIou)
            near++;
    }
    return near >= kCrowdNeighbours;
}

// Share of @p a's area inside @p b.
float inside(const Raw &a, const Raw &b)
{
    const float x0 = std::max(a.x, b.x), y0 = std::max(a.y, b.y);
    const float x1 = std::min(a.x + a.w, b.x + b.w), y1 = std::min(a.y + a.h, b.y + b.h);
    return std::max(0.0f, x1 - x0) * std::max(0.0f, y1 - y0) / std::max(1e-6f, a.w * a.h);
}

std::vector<cv::dnn::Net> &workers(IgpFaceDetector *det)
{
    if (det->workers.empty()) {
        det->workers.push_back(det->net);
        for (int i = 1; i < IGP_FACEDET_THREADS; i++)
            det->workers.push_back(cv::dnn::readNetFromONNX(det->model_path));
    }
    return det->workers;
}

// A tile's candidates (tile pixels) → image pixels, appended to @p all.
void tile_to_image(const Level &l, size_t tile, const std::vector<Raw> &found,
                   std::vector<Raw> &all)
{
    const cv::Point o = l.tiles[tile];
    for (Raw r : found) {
        if (r.w < l.min_in_input)
            continue; // a face part found again at too fine a level
        r.x = float((r.x + o.x) / l.scale), r.y = float((r.y + o.y) / l.scale);
        r.w = float(r.w / l.scale), r.h = float(r.h / l.scale);
        for (int k = 0; k < IGP_KP_COUNT; k++) {
            r.kp[2 * k] = float((r.kp[2 * k] + o.x) / l.scale);
            r.kp[2 * k + 1] = float((r.kp[2 * k + 1] + o.y) / l.scale);
        }
        all.push_back(r);
    }
}

float candidate_score(float score)
{
    return score < 0.55f ? kCandidateScore - 0.05f : kCandidateScore;
}

// Candidates over the pyramid's tiles that have detail, in image pixels.
std::vector<Raw> candidates(IgpFaceDetector *det, const cv::Mat &rgb, int min_face, float score)
{
    const std::vector<Level> levels = make_pyramid(rgb, min_face);
    std::vector<std::pair<const Level *, size_t>> jobs;
    for (const Level &l : levels)
        for (size_t t = 0; t < l.tiles.size(); t++)
            if (has_detail(tile_pixels(l, t)))
                jobs.push_back({&l, t});
    std::vector<std::vector<Raw>> found(jobs.size());
    std::vector<cv::dnn::Net> &nets = workers(det);
    parallel(nets.size(), jobs.size(), [&](size_t w, size_t i) {
        blazeface_raw(nets[w], det->anchors, tile_pixels(*jobs[i].first, jobs[i].second),
                      candidate_score(score), found[i]);
    });
    std::vector<Raw> all;
    for (size_t i = 0; i < jobs.size(); i++)
        tile_to_image(*jobs[i].first, jobs[i].second, found[i], all);
    return all;
}

// The candidates that are faces (see igp_facedet_find), checked with @p nets.
std::vector<IgpFaceFound> confirm(IgpFaceDetector *det, std::vector<cv::dnn::Net> &nets,
                                  const cv::Mat &rgb, const std::vector<Raw> &cands, int min_face,
                                  float score)
{
    std::vector<Raw> merged;
    std::vector<bool> frontal; // the keypoints have a frontal face's geometry
    for (const Raw &c : weighted_nms(cands)) {
        if (c.w < min_face * 0.6f || c.support < kMinSupport || !inner_detail(rgb, c))
            continue;
        const bool geometry = plausible(c);
        if (geometry || c.score >= kTurnedCandidate) {
            merged.push_back(c);
            frontal.push_back(geometry);
        }
    }
    std::vector<float> verified(merged.size()), kp_error(merged.size(), 0);
    parallel(nets.size(), merged.size(), [&](size_t w, size_t i) {
        verified[i] = merged[i].score >= kSureScore && frontal[i]
                          ? merged[i].score
                          : verified_score(nets[w], det->anchors, rgb, merged[i], &kp_error[i]);
    });
    std::vector<Raw> kept;
    std::vector<size_t> doubtful; // frontal, near the bar: kept among faces of their size
    for (size_t i = 0; i < merged.size(); i++) {
        const float v =
            verified[i] - kKeypointPenalty * std::max(0.0f, kp_error[i] - kKeypointSlack);
        if (!frontal[i] ? verified[i] >= score + kTurnedMargin && kp_error[i] <= kKeypointSlack
                        : v >= score + kAloneMargin ||
                              (v >= score - kHaarMargin && kp_error[i] <= kHaarMaxKeypointError &&
                               cascades_ready(det) && haar_agrees(det, rgb, merged[i]))) {
            merged[i].score = v;
            kept.push_back(merged[i]);
        } else if (frontal[i] && v >= score - kHaarMargin && kp_error[i] <= kHaarMaxKeypointError) {
            merged[i].score = v;
            doubtful.push_back(i);
        }
    }
    const size_t confirmed = kept.size();
    for (size_t i : doubtful)
        if (among_faces(merged[i], kept, confirmed))
            kept.push_back(merged[i]);
    // A box lying mostly inside a larger face is a part of it (an eye, a
    // mouth found again): the larger box hides it anyway.
    std::sort(kept.begin(), kept.end(), [](const Raw &a, const Raw &b) { return a.w > b.w; });
    std::vector<IgpFaceFound> out;
    for (size_t i = 0; i < kept.size(); i++) {
        bool part = false;
        for (size_t j = 0; j < i && !part; j++)
            part = inside(kept[i], kept[j]) >= 0.6f && kept[i].w < 0.8f * kept[j].w;
        if (part)
            continue;
        IgpFaceFound f{};
        f.box = {kept[i].x, kept[i].y, kept[i].w, kept[i].h, kept[i].score};
        std::copy(kept[i].kp, kept[i].kp + IGP_KP_COUNT * 2, &f.keypoints[0][0]);
        f.has_keypoints = 1;
        out.push_back(f);
    }
    return out;
}

std::vector<IgpFaceFound> blazeface_find(IgpFaceDetector *det, const cv::Mat &rgb, int min_face,
                                         float score)
{
    return confirm(det, workers(det), rgb, candidates(det, rgb, min_face, score), min_face, score);
}

void haar_append(cv::CascadeClassifier &c, const cv::Mat &grey, int min_face, bool mirrored,
                 std::vector<Raw> &faces)
{
    std::vector<cv::Rect> rects;
    c.detectMultiScale(grey, rects, 1.1, 3, 0, cv::Size(min_face, min_face));
    for (const cv::Rect &r : rects) {
        const int x = mirrored ? grey.cols - r.x - r.width : r.x;
        faces.push_back({float(x), float(r.y), float(r.width), float(r.height), 1.0f, {}, 1});
    }
}

std::vector<IgpFaceBox> haar_detect(IgpFaceDetector *det, const cv::Mat &rgb, int min_face)
{
    cv::Mat grey, mirror;
    std::vector<Raw> faces;
    cv::cvtColor(rgb, grey, cv::COLOR_RGB2GRAY);
    cv::equalizeHist(grey, grey);
    cv::flip(grey, mirror, 1);
    haar_append(det->frontal, grey, min_face, false, faces);
    // profileface only knows faces looking one way: run it on the mirror too.
    haar_append(det->profile, grey, min_face, false, faces);
    haar_append(det->profile, mirror, min_face, true, faces);
    std::vector<IgpFaceBox> boxes;
    for (const Raw &r : weighted_nms(faces))
        boxes.push_back({r.x, r.y, r.w, r.h, r.score});
    return boxes;
}

int load_cascade(cv::CascadeClassifier &c, const std::string &path)
{
    if (!file_exists(path.c_str()))
        return igp_error(
            IGP_ERR(ENOENT), path.c_str(),
            _("Haar cascade missing (install opencv-data, or fetch the BlazeFace model "
              "with scripts/fetch-models.sh)"));
    if (!c.load(path))
        return igp_error(IGP_ERR_INVALIDDATA, path.c_str(), _("cannot load Haar cascade"));
    return 0;
}

} // namespace

extern "C" int igp_facedet_open(const char *model_path, const char *haar_dir, IgpFaceDetector **out)
{
    IgpFaceDetector *det = new (std::nothrow) IgpFaceDetector();
    int ret = 0;
    *out = nullptr;
    if (!det)
        return igp_error(IGP_ERR(ENOMEM), "facedet", _("out of memory"));
    try {
        if (file_exists(model_path)) {
            det->backend = IGP_FACEDET_BLAZEFACE;
            det->model_path = model_path;
            det->net = cv::dnn::readNetFromONNX(model_path);
            if (det->net.empty())
                ret = igp_error(IGP_ERR_INVALIDDATA, model_path, _("cannot load face model"));
            det->anchors = make_anchors();
            // The cascades give doubtful candidates a second opinion when
            // opencv-data is installed; without them those are dropped.
            const std::string dir = haar_dir ? haar_dir : IGP_FACEDET_HAAR_DIR;
            const std::string frontal = dir + "/haarcascade_frontalface_default.xml",
                              profile = dir + "/haarcascade_profileface.xml";
            auto load = [det, frontal, profile] {
                try { // on a thread: an exception here would end the process
                    det->have_cascades = file_exists(frontal.c_str()) &&
                                         file_exists(profile.c_str()) &&
                                         det->frontal.load(frontal) && det->profile.load(profile);
                } catch (...) { // a damaged cascade: no second opinion, as without opencv-data
                    det->have_cascades = false;
                }
            };
            try {
                det->cascade_loader = std::thread(load);
            } catch (const std::system_error &) { // no thread to spare: load them now
                load();
            }
        } else {
            const std::string dir = haar_dir ? haar_dir : IGP_FACEDET_HAAR_DIR;
            det->backend = IGP_FACEDET_HAAR;
            ret = load_cascade(det->frontal, dir + "/haarcascade_frontalface_default.xml");
            if (ret == 0)
                ret = load_cascade(det->profile, dir + "/haarcascade_profileface.xml");
        }
    } catch (const std::exception &e) {
        ret = igp_error(IGP_ERR_INVALIDDATA, model_path ? model_path : "facedet",
                        _("cannot load face model: %s"), e.what());
    }
    if (ret) {
        delete det;
        return ret;
    }
    *out = det;
    return 0;
}

extern "C" IgpFaceBackend igp_facedet_backend(const IgpFaceDetector *det)
{
    return det->backend;
}

extern "C" const char *igp_facedet_backend_name(const IgpFaceDetector *det)
{
    return det->backend == IGP_FACEDET_BLAZEFACE ? "blazeface-front-128" : "haar-frontal+profile";
}

extern "C" int igp_facedet_find(IgpFaceDetector *det, const uint8_t *rgb, int w, int h,
                                size_t stride, int min_face, float score, IgpFaceFound **faces,
                                int *n_faces)
{
    *faces = nullptr;
    *n_faces = 0;
    try {
        const cv::Mat image(h, w, CV_8UC3, const_cast<uint8_t *>(rgb), stride);
        std::vector<IgpFaceFound> found;
        {
            std::lock_guard<std::mutex> guard(det->lock);
            if (det->backend == IGP_FACEDET_BLAZEFACE)
                found = blazeface_find(det, image, min_face, score);
            else
                for (const IgpFaceBox &b : haar_detect(det, image, min_face))
                    found.push_back({b, {}, 0});
        }
        *faces = g_new(IgpFaceFound, found.size() + 1);
        std::copy(found.begin(), found.end(), *faces);
        *n_faces = int(found.size());
    } catch (const std::exception &e) {
        return igp_error(IGP_ERR_LIBRARY, _("face detector"), "%s", e.what());
    }
    return 0;
}

extern "C" int igp_facedet_detect(IgpFaceDetector *det, const uint8_t *rgb, int w, int h,
                                  size_t stride, int min_face, float score, IgpFaceBox **boxes,
                                  int *n_boxes)
{
    IgpFaceFound *found = nullptr;
    int n = 0, ret = igp_facedet_find(det, rgb, w, h, stride, min_face, score, &found, &n);
    *boxes = nullptr;
    *n_boxes = 0;
    if (ret)
        return ret;
    *boxes = g_new(IgpFaceBox, n + 1);
    for (int i = 0; i < n; i++)
        (*boxes)[i] = found[i].box;
    *n_boxes = n;
    g_free(found);
    return 0;
}

// ----------------------------------------------------------------- video --

namespace
{

// What a tile looked like when the network last ran on it, and what it found.
struct TileMemory {
    cv::Mat blocks;         // mean grey of each kBlock × kBlock block
    std::vector<Raw> faces; // candidates, in tile pixels
    int age = 0;            // calls since the network ran on it
};

cv::Mat block_means(const cv::Mat &tile)
{
    cv::Mat grey, means;
    cv::cvtColor(tile, grey, cv::COLOR_RGB2GRAY);
    cv::resize(grey, means, cv::Size(kInput / kBlock, kInput / kBlock), 0, 0, cv::INTER_AREA);
    return means;
}

bool still(const TileMemory &m, const cv::Mat &blocks)
{
    if (m.blocks.empty() || m.age >= kRefresh)
        return false;
    double largest = 0;
    cv::Mat diff;
    cv::absdiff(m.blocks, blocks, diff);
    cv::minMaxLoc(diff, nullptr, &largest);
    return largest <= kStillLevels;
}

} // namespace

struct IgpFaceVideo {
    IgpFaceDetector *det;
    std::vector<cv::dnn::Net> nets; // one per worker thread
    std::vector<TileMemory> memory; // per tile, in make_pyramid's order
    std::vector<IgpFaceBox> last;   // the faces confirmed when a tile last ran
    bool have_last = false;
    int width = 0, height = 0, min_face = 0;
    float score = 0;
    long tiles = 0, tiles_run = 0;
};

namespace
{

// Run the network on the tiles @p dirty (indices into @p slots), spread
// over the session's networks, one thread each.
void run_tiles(IgpFaceVideo *v, const std::vector<cv::Mat> &pixels,
               const std::vector<size_t> &dirty)
{
    std::atomic<size_t> next{0};
    std::exception_ptr failure;
    std::mutex failure_lock;
    auto work = [&](size_t worker) {
        try {
            for (size_t i; (i = next++) < dirty.size();) {
                TileMemory &m = v->memory[dirty[i]];
                m.faces.clear();
                blazeface_raw(v->nets[worker], v->det->anchors, pixels[dirty[i]],
                              candidate_score(v->score), m.faces);
            }
        } catch (...) {
            std::lock_guard<std::mutex> guard(failure_lock);
            failure = std::current_exception();
        }
    };
    std::vector<std::thread> helpers;
    for (size_t w = 1; w < v->nets.size() && w < dirty.size(); w++)
        helpers.emplace_back(work, w);
    work(0);
    for (std::thread &t : helpers)
        t.join();
    if (failure)
        std::rethrow_exception(failure);
}

std::vector<IgpFaceBox> video_detect(IgpFaceVideo *v, const cv::Mat &rgb, int min_face, float score)
{
    const std::vector<Level> levels = make_pyramid(rgb, min_face);
    if (rgb.cols != v->width || rgb.rows != v->height || min_face != v->min_face ||
        score != v->score) {
        v->memory.clear(); // another geometry: nothing to reuse
        v->have_last = false;
        v->width = rgb.cols, v->height = rgb.rows, v->min_face = min_face, v->score = score;
    }
    std::vector<cv::Mat> pixels, blocks;
    for (const Level &l : levels)
        for (size_t t = 0; t < l.tiles.size(); t++) {
            pixels.push_back(tile_pixels(l, t));
            blocks.push_back(block_means(pixels.back()));
        }
    v->memory.resize(pixels.size());
    std::vector<size_t> dirty;
    for (size_t i = 0; i < pixels.size(); i++) {
        if (still(v->memory[i], blocks[i])) {
            v->memory[i].age++;
        } else {
            dirty.push_back(i);
            v->memory[i].blocks = blocks[i];
            v->memory[i].age = 0;
        }
    }
    run_tiles(v, pixels, dirty);
    v->tiles += long(pixels.size());
    v->tiles_run += long(dirty.size());
    // Nothing moved: the faces are those confirmed last time (the re-checks
    // would only see the same picture again).
    if (dirty.empty() && v->have_last)
        return v->last;
    std::vector<Raw> cands;
    size_t slot = 0;
    for (const Level &l : levels)
        for (size_t t = 0; t < l.tiles.size(); t++)
            tile_to_image(l, t, v->memory[slot++].faces, cands);
    std::vector<IgpFaceBox> faces;
    for (const IgpFaceFound &f : confirm(v->det, v->nets, rgb, cands, min_face, score))
        faces.push_back(f.box);
    v->last = faces;
    v->have_last = true;
    return faces;
}

} // namespace

extern "C" int igp_facedet_video_open(IgpFaceDetector *det, int threads, IgpFaceVideo **out)
{
    *out = nullptr;
    IgpFaceVideo *v = new (std::nothrow) IgpFaceVideo();
    if (!v)
        return igp_error(IGP_ERR(ENOMEM), "facedet", _("out of memory"));
    v->det = det;
    try {
        if (det->backend == IGP_FACEDET_BLAZEFACE)
            for (int i = 0; i < std::max(1, threads); i++)
                v->nets.push_back(cv::dnn::readNetFromONNX(det->model_path));
    } catch (const std::exception &e) {
        delete v;
        return igp_error(IGP_ERR_INVALIDDATA, det->model_path.c_str(),
                         _("cannot load face model: %s"), e.what());
    }
    *out = v;
    return 0;
}

extern "C" int igp_facedet_video_detect(IgpFaceVideo *v, const uint8_t *rgb, int w, int h,
                                        size_t stride, int min_face, float score,
                                        IgpFaceBox **boxes, int *n_boxes)
{
    if (v->det->backend != IGP_FACEDET_BLAZEFACE)
        return igp_facedet_detect(v->det, rgb, w, h, stride, min_face, score, boxes, n_boxes);
    *boxes = nullptr;
    *n_boxes = 0;
    try {
        const cv::Mat image(h, w, CV_8UC3, const_cast<uint8_t *>(rgb), stride);
        std::vector<IgpFaceBox> faces = video_detect(v, image, min_face, score);
        *boxes = g_new(IgpFaceBox, faces.size() + 1);
        std::copy(faces.begin(), faces.end(), *boxes);
        *n_boxes = int(faces.size());
    } catch (const std::exception &e) {
        return igp_error(IGP_ERR_LIBRARY, _("face detector"), "%s", e.what());
    }
    return 0;
}

extern "C" void igp_facedet_video_stats(const IgpFaceVideo *v, long *tiles, long *tiles_run)
{
    *tiles = v->tiles;
    *tiles_run = v->tiles_run;
}

extern "C" void igp_facedet_video_close(IgpFaceVideo **v)
{
    if (!*v)
        return;
    delete *v;
    *v = nullptr;
}

extern "C" void igp_facedet_close(IgpFaceDetector **det)
{
    delete *det;
    *det = nullptr;
}

extern "C" double igp_face_iou(const IgpFaceBox *a, const IgpFaceBox *b)
{
    return iou(*a, *b);
}
