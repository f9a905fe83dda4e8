// Overlays over the map: density (people per m² of walkable ground, over the same cells as the density metric),
// contact pressure (the highest in each cell, against the crush threshold), fear (the mean in each cell), and the
// navigation field of one destination (arrival-time bands, with arrows along −∇T).
#include "layers.hpp"

#include <algorithm>
#include <cmath>

namespace unrest::render {

namespace {
// Fruin's level of service F and beyond: around 7 people/m² a crowd turns into a fluid mass.
constexpr double kDensityTop = 7.0;
constexpr std::uint8_t kOverlayAlpha = 190;
}  // namespace

OverlayLayer::OverlayLayer(const Scenario& scenario, const World& world) : scenario_(scenario), world_(world) {
  cells_ = coarseCells(world.grid(), scenario.output.densityCell);
  walkableArea_ = walkableAreaPerCell(world, cells_);
  sum_.assign(cells_.size(), 0.0f);
  count_.assign(cells_.size(), 0u);
  cellImage_.create(unsigned(cells_.nx), unsigned(cells_.ny), sf::Color::Transparent);
  cellTexture_.loadFromImage(cellImage_);
  for (std::size_t f = 0; f < world.fieldCount(); ++f) {
    double top = 1.0;
    for (float t : world.field(int(f)).arrival)
      if (std::isfinite(t)) top = std::max(top, double(t));
    fieldTop_.push_back(top);
  }
}

OverlayLayer::Scale OverlayLayer::scale(Overlay overlay, int field) const {
  switch (overlay) {
    case Overlay::Density: return {"density", kDensityTop, "people/m2", 0, ""};
    case Overlay::Pressure:
      return {"contact pressure", 2 * scenario_.harm.injuryPressure, "N/m", scenario_.harm.injuryPressure, "crush"};
    case Overlay::Fear: return {"fear", 1.0, "", 0, ""};
    case Overlay::Navigation:
      return {"path length to destination", field >= 0 && field < int(fieldTop_.size()) ? fieldTop_[field] : 1.0, "m", 0, ""};
    case Overlay::None: break;
  }
  return {"", 1, "", 0, ""};
}

void OverlayLayer::updateCells(const Snapshot& s, Overlay overlay) {
  if (cellsStep_ == s.step && cellsOverlay_ == overlay) return;
  cellsStep_ = s.step;
  cellsOverlay_ = overlay;
  std::fill(sum_.begin(), sum_.end(), 0.0f);
  std::fill(count_.begin(), count_.end(), 0u);
  for (std::size_t i = 0; i < s.size(); ++i) {
    const auto state = static_cast<AgentState>(s.state[i]);
    if (state == AgentState::Exited || state == AgentState::Jailed) continue;
    const auto c = cells_.index(std::clamp(cells_.cellX(s.x[i]), 0, cells_.nx - 1), std::clamp(cells_.cellY(s.y[i]), 0, cells_.ny - 1));
    ++count_[c];
    if (overlay == Overlay::Pressure) sum_[c] = std::max(sum_[c], s.pressure[i]);
    if (overlay == Overlay::Fear) sum_[c] += s.fear[i];
  }
  const Scale sc = scale(overlay, 0);
  const double minArea = 0.25 * cells_.h * cells_.h;  // as the density metric: ignore cells that are mostly wall
  for (int j = 0; j < cells_.ny; ++j)
    for (int i = 0; i < cells_.nx; ++i) {
      const std::size_t c = cells_.index(i, j);
      double value = 0.0;
      if (count_[c] > 0 && walkableArea_[c] >= minArea) {
        if (overlay == Overlay::Density) value = count_[c] / walkableArea_[c];
        if (overlay == Overlay::Pressure) value = sum_[c];
        if (overlay == Overlay::Fear) value = sum_[c] / count_[c];
      }
      // Faint where values are low, so a sparse crowd does not hide the map and a dense one stands out.
      const double t = value / sc.top;
      const auto alpha = static_cast<std::uint8_t>(kOverlayAlpha * std::min(1.0, 0.25 + 3.0 * t));
      cellImage_.setPixel(unsigned(i), unsigned(cells_.ny - 1 - j), value > 0 ? heatColour(t, alpha) : sf::Color::Transparent);
    }
  cellTexture_.update(cellImage_);
}

void OverlayLayer::updateField(int field) {
  if (fieldShown_ == field) return;
  fieldShown_ = field;
  const Grid& g = world_.grid();
  const NavigationField& f = world_.field(field);
  const int maxSize = static_cast<int>(sf::Texture::getMaximumSize());
  const int step = std::max(1, static_cast<int>(std::ceil(double(std::max(g.nx, g.ny)) / maxSize)));
  const int tw = (g.nx + step - 1) / step, th = (g.ny + step - 1) / step;
  // Bands of alternating brightness every `band` metres of path read as isochrones.
  const double top = fieldTop_[field];
  const double band = top > 500 ? 50.0 : top > 100 ? 10.0 : top > 20 ? 2.0 : 0.5;
  sf::Image image;
  image.create(unsigned(tw), unsigned(th), sf::Color::Transparent);
  for (int tj = 0; tj < th; ++tj)
    for (int ti = 0; ti < tw; ++ti) {
      const int i = std::min(g.nx - 1, ti * step + step / 2), j = std::min(g.ny - 1, tj * step + step / 2);
      const float t = f.arrival[g.index(i, j)];
      if (!std::isfinite(t)) continue;
      sf::Color c = heatColour(t / top, 170);
      if (static_cast<long long>(t / band) % 2) c = sf::Color(std::uint8_t(c.r * 0.75), std::uint8_t(c.g * 0.75), std::uint8_t(c.b * 0.75), c.a);
      image.setPixel(unsigned(ti), unsigned(th - 1 - tj), c);
    }
  fieldTexture_.loadFromImage(image);
  quad_.clear();
  addWorldQuad(quad_, float(g.origin.x()), float(g.origin.y()), float(g.origin.x() + tw * step * g.h),
               float(g.origin.y() + th * step * g.h), fieldTexture_.getSize());
}

void OverlayLayer::draw(sf::RenderTarget& target, const Camera& camera, const Snapshot& s, Overlay overlay, int field) {
  if (overlay == Overlay::None) return;
  if (overlay == Overlay::Navigation) {
    if (world_.fieldCount() == 0) return;
    updateField(field);
    target.setView(worldView(camera));
    target.draw(quad_, &fieldTexture_);
    // Arrows along the desired direction on a grid of the screen.
    target.setView(target.getDefaultView());
    arrows_.clear();
    const sf::Color c(255, 255, 255, 210);
    constexpr int kSpacing = 40;
    for (int sy = kSpacing / 2; sy < camera.height; sy += kSpacing)
      for (int sx = kSpacing / 2; sx < camera.width; sx += kSpacing) {
        const Vec2 p(camera.worldX(sx), camera.worldY(sy));
        if (!world_.walkableAt(p)) continue;
        const Vec2 d = world_.desiredDirection(field, p);
        if (d.squaredNorm() < 0.25) continue;
        const sf::Vector2f tip(float(sx + 7 * d.x()), float(sy - 7 * d.y())), tail(float(sx - 7 * d.x()), float(sy + 7 * d.y()));
        const sf::Vector2f back(float(-d.x()), float(d.y())), side(float(-d.y()), float(-d.x()));
        arrows_.append(sf::Vertex(tail, c));
        arrows_.append(sf::Vertex(tip, c));
        for (float k : {-1.0f, 1.0f}) {
          arrows_.append(sf::Vertex(tip, c));
          arrows_.append(sf::Vertex(tip + 4.0f * back + 3.0f * k * side, c));
        }
      }
    target.draw(arrows_);
    return;
  }
  updateCells(s, overlay);
  target.setView(worldView(camera));
  sf::VertexArray quad(sf::Quads);
  addWorldQuad(quad, float(cells_.origin.x()), float(cells_.origin.y()), float(cells_.origin.x() + cells_.nx * cells_.h),
               float(cells_.origin.y() + cells_.ny * cells_.h), cellTexture_.getSize());
  target.draw(quad, &cellTexture_);
  target.setView(target.getDefaultView());
}

}  // namespace unrest::render
