// The city: walkable raster (streets and squares against blocks and buildings), traced walls when close enough
// to see them, zone outlines and names.
#include "layers.hpp"

#include <algorithm>
#include <cmath>

namespace unrest::render {

sf::View worldView(const Camera& c) {
  sf::View v;
  v.setCenter(static_cast<float>(c.centreX), static_cast<float>(c.centreY));
  // A negative height turns the y axis so that north is up.
  v.setSize(static_cast<float>(c.width * c.metresPerPixel), static_cast<float>(-c.height * c.metresPerPixel));
  return v;
}

void addWorldQuad(sf::VertexArray& va, float x0, float y0, float x1, float y1, sf::Vector2u size) {
  const float w = static_cast<float>(size.x), h = static_cast<float>(size.y);
  va.append(sf::Vertex({x0, y1}, {0, 0}));
  va.append(sf::Vertex({x1, y1}, {w, 0}));
  va.append(sf::Vertex({x1, y0}, {w, h}));
  va.append(sf::Vertex({x0, y0}, {0, h}));
}

namespace {

void addSegment(sf::VertexArray& va, const Vec2& a, const Vec2& b, sf::Color c) {
  va.append(sf::Vertex({float(a.x()), float(a.y())}, c));
  va.append(sf::Vertex({float(b.x()), float(b.y())}, c));
}

void addOutline(sf::VertexArray& va, const Shape& s, sf::Color c) {
  auto closed = [&](const std::vector<Vec2>& pts) {
    for (std::size_t k = 0; k < pts.size(); ++k) addSegment(va, pts[k], pts[(k + 1) % pts.size()], c);
  };
  switch (s.kind) {
    case Shape::Kind::Rect: {
      const Vec2 lo = s.points[0], hi = s.points[1];
      closed({lo, Vec2(hi.x(), lo.y()), hi, Vec2(lo.x(), hi.y())});
      break;
    }
    case Shape::Kind::Polygon: closed(s.points); break;
    case Shape::Kind::Circle: {
      std::vector<Vec2> pts;
      for (int k = 0; k < 48; ++k)
        pts.push_back(s.points[0] + s.radius * Vec2(std::cos(k * M_PI / 24), std::sin(k * M_PI / 24)));
      closed(pts);
      break;
    }
    case Shape::Kind::Polyline:
      for (std::size_t k = 0; k + 1 < s.points.size(); ++k) addSegment(va, s.points[k], s.points[k + 1], c);
      break;
  }
}

}  // namespace

MapLayer::MapLayer(const Scenario& scenario, const World& world) {
  const Grid& g = world.grid();
  // One texel per raster cell, or per block of cells when the raster is larger than the largest texture.
  const int maxSize = static_cast<int>(sf::Texture::getMaximumSize());
  const int step = std::max(1, static_cast<int>(std::ceil(double(std::max(g.nx, g.ny)) / maxSize)));
  const int tw = (g.nx + step - 1) / step, th = (g.ny + step - 1) / step;
  std::vector<std::uint8_t> kind(g.size(), 0);  // 0 block, 1 walkable, 2 building
  for (std::size_t c = 0; c < g.size(); ++c) kind[c] = world.walkable(c) ? 1 : 0;
  for (const Shape& s : scenario.map.obstacles) {
    const auto [lo, hi] = s.bounds();
    const int i0 = std::max(0, g.cellX(lo.x())), i1 = std::min(g.nx - 1, g.cellX(hi.x()));
    const int j0 = std::max(0, g.cellY(lo.y())), j1 = std::min(g.ny - 1, g.cellY(hi.y()));
    for (int j = j0; j <= j1; ++j)
      for (int i = i0; i <= i1; ++i)
        if (kind[g.index(i, j)] == 0 && s.contains(g.centre(i, j))) kind[g.index(i, j)] = 2;
  }
  sf::Image image;
  image.create(static_cast<unsigned>(tw), static_cast<unsigned>(th), kBlock);
  const sf::Color colours[3] = {kBlock, kStreet, kBuilding};
  for (int tj = 0; tj < th; ++tj)
    for (int ti = 0; ti < tw; ++ti) {
      const int i = std::min(g.nx - 1, ti * step + step / 2), j = std::min(g.ny - 1, tj * step + step / 2);
      image.setPixel(static_cast<unsigned>(ti), static_cast<unsigned>(th - 1 - tj), colours[kind[g.index(i, j)]]);
    }
  raster_.loadFromImage(image);
  raster_.setSmooth(true);
  raster_.generateMipmap();  // zoomed out, thin streets fade rather than flicker
  const float x0 = float(g.origin.x()), y0 = float(g.origin.y());
  addWorldQuad(rasterQuad_, x0, y0, x0 + float(tw * step * g.h), y0 + float(th * step * g.h), raster_.getSize());
  for (auto [x, y] : {std::pair{0, 0}, {1, 0}, {1, 1}, {0, 1}, {0, 0}})
    bounds_.append(sf::Vertex({float(x ? scenario.map.boundsMax.x() : scenario.map.boundsMin.x()),
                               float(y ? scenario.map.boundsMax.y() : scenario.map.boundsMin.y())}, kWall));

  walls_ = world.walls();
  for (const Shape& z : scenario.map.zones) {
    addOutline(zoneLines_, z, sf::Color(kZoneOutline.r, kZoneOutline.g, kZoneOutline.b, 150));
    const auto [lo, hi] = z.bounds();
    Vec2 anchor = 0.5 * (lo + hi);
    if (z.kind == Shape::Kind::Polyline) anchor = z.points[z.points.size() / 2];
    labels_.push_back({z.name, anchor.x(), anchor.y(), std::max(hi.x() - lo.x(), hi.y() - lo.y())});
  }
  // Large places first: they win where labels would overlap.
  std::stable_sort(labels_.begin(), labels_.end(), [](const Label& a, const Label& b) { return a.extent > b.extent; });
}

void MapLayer::draw(sf::RenderTarget& target, const Camera& camera) {
  target.setView(worldView(camera));
  target.draw(rasterQuad_, &raster_);
  target.draw(bounds_);
  // Walls are the raster's own edges; drawn as lines only when a cell is several pixels wide, and only those in view.
  if (camera.metresPerPixel < 0.35) {
    wallLines_.clear();
    const double x0 = camera.worldX(0), x1 = camera.worldX(camera.width);
    const double y0 = camera.worldY(camera.height), y1 = camera.worldY(0);
    for (const WallSegment& w : walls_) {
      if (std::max(w.a.x(), w.b.x()) < x0 || std::min(w.a.x(), w.b.x()) > x1 || std::max(w.a.y(), w.b.y()) < y0 ||
          std::min(w.a.y(), w.b.y()) > y1)
        continue;
      addSegment(wallLines_, w.a, w.b, kWall);
    }
    target.draw(wallLines_);
  }
  target.draw(zoneLines_);
  target.setView(target.getDefaultView());
}

void MapLayer::drawLabels(sf::RenderTarget& target, const Camera& camera, const sf::Font& font) {
  target.setView(target.getDefaultView());
  std::vector<sf::FloatRect> placed;
  // Outlined text without a box: readable over any ground, and it hides only the people under its strokes.
  sf::Text text("", font, 12);
  text.setFillColor(kZoneOutline);
  text.setOutlineColor(sf::Color(0, 0, 0, 200));
  text.setOutlineThickness(1.5f);
  for (const Label& l : labels_) {
    if (l.extent / camera.metresPerPixel < 24) continue;  // too small on screen to name
    const float sx = float(camera.screenX(l.x)), sy = float(camera.screenY(l.y));
    text.setString(l.name);
    const sf::FloatRect b = text.getLocalBounds();
    const sf::FloatRect r(sx - 0.5f * b.width - 3, sy - 0.5f * b.height - 4, b.width + 6, b.height + 8);
    if (r.left + r.width < 0 || r.top + r.height < 0 || r.left > camera.width || r.top > camera.height) continue;
    if (std::any_of(placed.begin(), placed.end(), [&](const sf::FloatRect& p) { return p.intersects(r); })) continue;
    placed.push_back(r);
    text.setPosition(std::round(r.left + 3 - b.left), std::round(r.top + 4 - b.top));
    target.draw(text);
  }
}

}  // namespace unrest::render
