// People, vehicles and checkpoints. People are one vertex array of textured quads: the texture is an atlas of
// the role shapes (civilian disc, police square, soldier triangle, volunteer diamond), their rings and the injury
// cross, so the whole crowd is two draw calls however many people there are.
#include "layers.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>

namespace unrest::render {

namespace {

constexpr int kCell = 32;  // atlas cell, pixels: sprites are mostly smaller, so no mipmaps are needed
constexpr int kRingCell = 4, kCrossCell = 8, kCells = 9;
// Splatted bodies this many pixels across and more are drawn with their role's shape; smaller ones are dots.
constexpr int kSmallestSymbol = 3;
constexpr int kSmallestInjured = 7;  // pixels across: the cross's arms are then a pixel or two wide

// Is (u, v) in [-1, 1]^2 (v up) inside role shape `role` scaled by `scale`?
bool insideShape(int role, double u, double v, double scale) {
  u /= scale;
  v /= scale;
  switch (static_cast<Role>(role)) {
    case Role::Civilian: return u * u + v * v <= 0.92 * 0.92;
    case Role::Police: return std::abs(u) <= 0.8 && std::abs(v) <= 0.8;
    case Role::Soldier: {  // triangle pointing up: (0, 0.95), (-0.92, -0.75), (0.92, -0.75)
      if (v < -0.75) return false;
      const double half = 0.92 * (0.95 - v) / 1.7;
      return std::abs(u) <= half;
    }
    case Role::Volunteer: return std::abs(u) + std::abs(v) <= 0.95;
  }
  return false;
}

// Share of pixel (px, py) of a size x size picture of atlas cell `cell` that the symbol covers.
double coverage(int cell, int px, int py, int size) {
  // 4 x 4 samples per pixel for smooth edges.
  int hits = 0;
  for (int sy = 0; sy < 4; ++sy)
    for (int sx = 0; sx < 4; ++sx) {
      const double u = ((px + (sx + 0.5) / 4) / size) * 2 - 1;
      const double v = 1 - ((py + (sy + 0.5) / 4) / size) * 2;
      bool in = false;
      if (cell < kRingCell) {
        in = insideShape(cell, u, v, 1.0);
      } else if (cell < kCrossCell) {
        in = insideShape(cell - kRingCell, u, v, 1.0) && !insideShape(cell - kRingCell, u, v, 0.6);
      } else {
        in = std::max(std::abs(u), std::abs(v)) <= 0.85 && (std::abs(u - v) <= 0.3 || std::abs(u + v) <= 0.3);
      }
      hits += in;
    }
  return hits / 16.0;
}

std::uint32_t packRgba(sf::Color c) {
  std::uint8_t bytes[4] = {c.r, c.g, c.b, c.a};
  std::uint32_t v;
  std::memcpy(&v, bytes, 4);
  return v;
}

}  // namespace

PeopleLayer::PeopleLayer() {
  sf::Image image;
  image.create(kCell * kCells, kCell, sf::Color::Transparent);
  for (int cell = 0; cell < kCells; ++cell)
    for (int py = 0; py < kCell; ++py)
      for (int px = 0; px < kCell; ++px) {
        const double a = coverage(cell, px, py, kCell);
        image.setPixel(unsigned(cell * kCell + px), unsigned(py), sf::Color(255, 255, 255, std::uint8_t(std::lround(255 * a))));
      }
  atlas_.loadFromImage(image);
  atlas_.setSmooth(true);
}

void PeopleLayer::addSprite(sf::VertexArray& va, float x, float y, float h, int cell, sf::Color colour) const {
  const float u0 = float(cell * kCell), u1 = u0 + kCell;
  va.append(sf::Vertex({x - h, y - h}, colour, {u0, 0}));
  va.append(sf::Vertex({x + h, y - h}, colour, {u1, 0}));
  va.append(sf::Vertex({x + h, y + h}, colour, {u1, float(kCell)}));
  va.append(sf::Vertex({x - h, y + h}, colour, {u0, float(kCell)}));
}

void PeopleLayer::drawSymbol(sf::RenderTarget& target, float x, float y, float h, Role role, sf::Color fill,
                             std::optional<sf::Color> ring, bool injured) {
  shapes_.clear();
  addSprite(shapes_, x, y, h, static_cast<int>(role), injured ? kInjuredBody : fill);
  if (ring) addSprite(shapes_, x, y, h, kRingCell + static_cast<int>(role), *ring);
  if (injured) addSprite(shapes_, x, y, h, kCrossCell, kInjuredMark);
  target.draw(shapes_, &atlas_);
}

namespace {
// Body colour and mark of person i: calm people show their group colour; a condition adds a ring; injured and
// arrested people change body colour.
struct Look {
  sf::Color body;
  sf::Color mark;
  int markCell = -1;
};
Look lookOf(const Snapshot& s, std::size_t i, const Viewer& viewer) {
  const auto condition = static_cast<Condition>(s.condition[i]);
  const int role = int(s.roleOf(i));
  switch (condition) {
    case Condition::Injured: return {kInjuredBody, kInjuredMark, kCrossCell};
    case Condition::Arrested: return {kArrestedBody, {}, -1};
    case Condition::Calm: return {viewer.colourOf(s, i), {}, -1};
    default: return {viewer.colourOf(s, i), conditionRing(condition), kRingCell + role};
  }
}
bool visiblePerson(const Snapshot& s, std::size_t i) { return s.state[i] != std::uint8_t(AgentState::Exited); }
}  // namespace

bool PeopleLayer::splats(const Camera& camera, const Snapshot& s, PeopleDetail detail) {
  const double minRadius = s.size() ? *std::min_element(s.radius.begin(), s.radius.end()) : 0.3;
  return detail == PeopleDetail::Auto && 2.0 * minRadius / camera.metresPerPixel < kSplatBelowPixels;
}

DrawStats PeopleLayer::draw(sf::RenderTarget& target, const Camera& camera, const Snapshot& s, const Viewer& viewer,
                            PeopleDetail detail, std::optional<std::uint32_t> selected, const sf::Image* base) {
  target.setView(target.getDefaultView());
  DrawStats stats;
  if (splats(camera, s, detail)) {
    splat(camera, s, viewer, base, stats.peopleDrawn);
    stats.splatted = true;
    sf::VertexArray quad(sf::Quads);
    const float w = float(camera.width), h = float(camera.height);
    quad.append(sf::Vertex({0, 0}, {0, 0}));
    quad.append(sf::Vertex({w, 0}, {w, 0}));
    quad.append(sf::Vertex({w, h}, {w, h}));
    quad.append(sf::Vertex({0, h}, {0, h}));
    target.draw(quad, sf::RenderStates(base ? sf::BlendNone : sf::BlendAlpha, sf::Transform(), &splatTexture_, nullptr));
  } else {
    bodies_.clear();
    marks_.clear();
    const float W = float(camera.width), H = float(camera.height);
    for (std::size_t i = 0; i < s.size(); ++i) {
      if (!visiblePerson(s, i)) continue;
      // Never smaller than 1.5 px in radius, so a person is always a visible dot.
      const float h = std::max(1.5f, float(s.radius[i] / camera.metresPerPixel));
      const float x = float(camera.screenX(s.x[i])), y = float(camera.screenY(s.y[i]));
      if (x + h < 0 || y + h < 0 || x - h > W || y - h > H) continue;
      const Look look = lookOf(s, i, viewer);
      addSprite(bodies_, x, y, h, int(s.roleOf(i)), look.body);
      if (look.markCell >= 0) addSprite(marks_, x, y, h, look.markCell, look.mark);
      ++stats.peopleDrawn;
    }
    stats.quads = (bodies_.getVertexCount() + marks_.getVertexCount()) / 4;
    target.draw(bodies_, &atlas_);
    target.draw(marks_, &atlas_);
  }
  drawVehicles(target, camera, s);
  drawCheckpoints(target, camera, s, viewer.font());
  // The selected person: a bright square around them.
  if (selected) {
    for (std::size_t i = 0; i < s.size(); ++i) {
      if (s.id[i] != *selected || !visiblePerson(s, i)) continue;
      const float h = std::max(6.0f, float(s.radius[i] / camera.metresPerPixel) + 4);
      sf::RectangleShape box({2 * h, 2 * h});
      box.setPosition(float(camera.screenX(s.x[i])) - h, float(camera.screenY(s.y[i])) - h);
      box.setFillColor(sf::Color::Transparent);
      box.setOutlineColor(sf::Color(0, 255, 255));
      box.setOutlineThickness(2);
      target.draw(box);
      break;
    }
  }
  return stats;
}

void PeopleLayer::splat(const Camera& camera, const Snapshot& s, const Viewer& viewer, const sf::Image* base, std::size_t& drawn) {
  const int W = camera.width, H = camera.height;
  pixels_.resize(std::size_t(W) * std::size_t(H));
  if (base && base->getSize() == sf::Vector2u(unsigned(W), unsigned(H)))
    std::memcpy(pixels_.data(), base->getPixelsPtr(), pixels_.size() * 4);
  else
    std::fill(pixels_.begin(), pixels_.end(), 0u);
  // Two passes: calm people first, then everyone with a condition on top, so a fight shows in a calm crowd.
  for (int pass = 0; pass < 2; ++pass)
    for (std::size_t i = 0; i < s.size(); ++i) {
      if (!visiblePerson(s, i) || (s.condition[i] != std::uint8_t(Condition::Calm)) != (pass == 1)) continue;
      const double d = std::max(2.0, 2.0 * s.radius[i] / camera.metresPerPixel);
      const bool injured = s.condition[i] == std::uint8_t(Condition::Injured);
      // The injured are few and what a viewer looks for: at any zoom they keep a white body and red cross big enough
      // to read, rather than a red dot like a fighter's.
      const int n = std::max(static_cast<int>(std::lround(d)), injured ? kSmallestInjured : 0);
      const int x0 = static_cast<int>(std::floor(camera.screenX(s.x[i]) - 0.5 * n + 0.5));
      const int y0 = static_cast<int>(std::floor(camera.screenY(s.y[i]) - 0.5 * n + 0.5));
      if (x0 + n <= 0 || y0 + n <= 0 || x0 >= W || y0 >= H) continue;
      const Look look = lookOf(s, i, viewer);
      if (n < kSmallestSymbol) {
        // A dot: at this size the condition matters more than the group, so the mark's colour fills it.
        const std::uint32_t c = packRgba(look.markCell >= 0 ? look.mark : look.body);
        for (int y = std::max(0, y0); y < std::min(H, y0 + n); ++y)
          std::fill(pixels_.begin() + std::ptrdiff_t(y) * W + std::max(0, x0), pixels_.begin() + std::ptrdiff_t(y) * W + std::min(W, x0 + n), c);
      } else {
        blit(x0, y0, n, int(s.roleOf(i)), look.body, W, H);
        if (look.markCell >= 0) blit(x0, y0, n, look.markCell, look.mark, W, H);
      }
      ++drawn;
    }
  if (splatTexture_.getSize() != sf::Vector2u(unsigned(W), unsigned(H))) splatTexture_.create(unsigned(W), unsigned(H));
  splatTexture_.update(reinterpret_cast<const sf::Uint8*>(pixels_.data()));
}

const std::uint8_t* PeopleLayer::mask(int n, int cell) {
  if (masks_.size() <= std::size_t(n)) masks_.resize(std::size_t(n) + 1);
  auto& m = masks_[std::size_t(n)];
  if (m.empty()) {
    m.resize(std::size_t(kCells) * std::size_t(n) * std::size_t(n));
    for (int c = 0; c < kCells; ++c)
      for (int py = 0; py < n; ++py)
        for (int px = 0; px < n; ++px)
          m[(std::size_t(c) * n + py) * n + px] = std::uint8_t(std::lround(255 * coverage(c, px, py, n)));
  }
  return m.data() + std::size_t(cell) * std::size_t(n) * std::size_t(n);
}

void PeopleLayer::blit(int x0, int y0, int n, int cell, sf::Color colour, int W, int H) {
  const std::uint8_t* m = mask(n, cell);
  for (int py = std::max(0, -y0); py < n && y0 + py < H; ++py) {
    std::uint8_t* row = reinterpret_cast<std::uint8_t*>(pixels_.data() + std::ptrdiff_t(y0 + py) * W);
    for (int px = std::max(0, -x0); px < n && x0 + px < W; ++px) {
      const unsigned a = m[py * n + px];
      if (a == 0) continue;
      std::uint8_t* d = row + 4 * (x0 + px);
      d[0] = std::uint8_t((colour.r * a + d[0] * (255 - a) + 127) / 255);
      d[1] = std::uint8_t((colour.g * a + d[1] * (255 - a) + 127) / 255);
      d[2] = std::uint8_t((colour.b * a + d[2] * (255 - a) + 127) / 255);
      d[3] = std::max<std::uint8_t>(d[3], std::uint8_t(a));
    }
  }
}

void PeopleLayer::drawVehicles(sf::RenderTarget& target, const Camera& camera, const Snapshot& s) {
  if (s.vehicles.empty()) return;
  shapes_.clear();
  lines_.clear();
  for (const VehicleView& v : s.vehicles) {
    const sf::Color fill = v.kind == VehicleView::Kind::Armoured ? kArmoured : kCar;
    const double c = std::cos(v.heading), sn = std::sin(v.heading);
    auto corner = [&](double along, double across) {
      const double wx = v.x + along * c - across * sn, wy = v.y + along * sn + across * c;
      return sf::Vector2f(float(camera.screenX(wx)), float(camera.screenY(wy)));
    };
    const double l = std::max(0.5 * v.length, 2.0 * camera.metresPerPixel), w = std::max(0.5 * v.width, 1.5 * camera.metresPerPixel);
    const sf::Vector2f p[4] = {corner(-l, -w), corner(l, -w), corner(l, w), corner(-l, w)};
    for (const auto& q : p) shapes_.append(sf::Vertex(q, fill));
    for (int k = 0; k < 4; ++k) {
      lines_.append(sf::Vertex(p[k], sf::Color::Black));
      lines_.append(sf::Vertex(p[(k + 1) % 4], sf::Color::Black));
    }
    // The front: a line across the first fifth of the body.
    lines_.append(sf::Vertex(corner(0.6 * l, -w), sf::Color::Black));
    lines_.append(sf::Vertex(corner(0.6 * l, w), sf::Color::Black));
  }
  target.draw(shapes_);
  target.draw(lines_);
}

void PeopleLayer::drawCheckpoints(sf::RenderTarget& target, const Camera& camera, const Snapshot& s, const sf::Font& font) {
  if (s.checkpoints.empty()) return;
  shapes_.clear();
  sf::Text text("", font, 12);
  for (const CheckpointView& cp : s.checkpoints) {
    // The barrier: red and white bands of one metre, at least 3 px thick.
    const double len = std::hypot(cp.bx - cp.ax, cp.by - cp.ay);
    const int bands = std::max(1, static_cast<int>(std::ceil(len)));
    const double nx = len > 0 ? -(cp.by - cp.ay) / len : 0, ny = len > 0 ? (cp.bx - cp.ax) / len : 1;
    const double half = std::max(0.25, 1.5 * camera.metresPerPixel);  // a barrier half a metre thick
    for (int b = 0; b < bands; ++b) {
      const double t0 = double(b) / bands, t1 = double(b + 1) / bands;
      const sf::Color colour = b % 2 ? kBarrierWhite : kBarrierRed;
      for (auto [t, side] : {std::pair{t0, -1.0}, {t1, -1.0}, {t1, 1.0}, {t0, 1.0}}) {
        const double wx = cp.ax + t * (cp.bx - cp.ax) + side * half * nx, wy = cp.ay + t * (cp.by - cp.ay) + side * half * ny;
        shapes_.append(sf::Vertex({float(camera.screenX(wx)), float(camera.screenY(wy))}, colour));
      }
    }
  }
  target.draw(shapes_);
  for (const CheckpointView& cp : s.checkpoints) {
    text.setString(cp.name + "  queue " + std::to_string(cp.queue));
    text.setFillColor(kBarrierWhite);
    text.setOutlineColor(sf::Color::Black);
    text.setOutlineThickness(1);
    text.setPosition(std::round(float(camera.screenX(cp.x)) + 8), std::round(float(camera.screenY(cp.y)) - 24));
    target.draw(text);
  }
}

}  // namespace unrest::render
