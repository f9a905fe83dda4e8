#include "unrest/render/viewer.hpp"

#include "layers.hpp"

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <stdexcept>

#ifndef UNREST_FONT_FILE
#define UNREST_FONT_FILE "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
#endif

namespace unrest::render {

const char* overlayName(Overlay o) {
  switch (o) {
    case Overlay::None: return "none";
    case Overlay::Density: return "density";
    case Overlay::Pressure: return "contact pressure";
    case Overlay::Fear: return "fear";
    case Overlay::Navigation: return "navigation field";
  }
  return "?";
}

std::string fontPath() {
  if (const char* env = std::getenv("UNREST_FONT"); env && *env) return env;
  return UNREST_FONT_FILE;
}

Viewer::Viewer(const Scenario& scenario, const World& world, ViewerOptions options)
    : scenario_(scenario), world_(world), options_(std::move(options)) {
  const std::string font = fontPath();
  if (!std::filesystem::exists(font) || !font_.loadFromFile(font))
    throw std::runtime_error(font + ": cannot load the viewer's font (install fonts-dejavu-core, or set UNREST_FONT to a .ttf file)");
  colourBy_ = options_.factions.empty() ? ColourBy::Population : ColourBy::Faction;
  map_ = std::make_unique<MapLayer>(scenario, world);
  people_ = std::make_unique<PeopleLayer>();
  overlays_ = std::make_unique<OverlayLayer>(scenario, world);
  panelsLayer_ = std::make_unique<Panels>(font_);
  resize(options_.width, options_.height);
  fitMap();
}

Viewer::~Viewer() = default;

void Viewer::resize(int width, int height) {
  options_.width = camera_.width = std::max(1, width);
  options_.height = camera_.height = std::max(1, height);
}

void Viewer::fitMap() {
  camera_ = Camera::fit(scenario_.map.boundsMin.x(), scenario_.map.boundsMin.y(), scenario_.map.boundsMax.x(),
                        scenario_.map.boundsMax.y(), options_.width, options_.height);
}

void Viewer::lookAt(double x, double y, double width) {
  camera_.centreX = x;
  camera_.centreY = y;
  camera_.metresPerPixel = width / camera_.width;
}

void Viewer::cycleNavigationField(int delta) {
  const int n = static_cast<int>(world_.fieldCount());
  if (n > 0) navField_ = ((navField_ + delta) % n + n) % n;
}

sf::Color Viewer::factionColour(int faction) const {
  if (faction >= 0 && faction < int(options_.factions.size())) return options_.factions[faction].colour;
  return categoryColour(std::size_t(faction));
}

std::string Viewer::factionName(int faction) const {
  if (faction >= 0 && faction < int(options_.factions.size())) return options_.factions[faction].name;
  return "faction " + std::to_string(faction);
}

sf::Color Viewer::colourOf(const Snapshot& s, std::size_t i) const {
  if (colourBy_ == ColourBy::Population) return categoryColour(s.group[i]);
  if (s.faction[i] != kNoFaction) return factionColour(s.faction[i]);
  return noFactionColour(s.roleOf(i));
}

std::optional<std::uint32_t> Viewer::pick(const Snapshot& s, double sx, double sy) const {
  const double wx = camera_.worldX(sx), wy = camera_.worldY(sy);
  const double slack = 4.0 * camera_.metresPerPixel;  // a few pixels around a small dot still count
  std::optional<std::uint32_t> best;
  double bestDistance = 1e300;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s.state[i] == std::uint8_t(AgentState::Exited)) continue;
    const double d = std::hypot(s.x[i] - wx, s.y[i] - wy);
    if (d <= s.radius[i] + slack && d < bestDistance) {
      bestDistance = d;
      best = s.id[i];
    }
  }
  return best;
}

void Viewer::draw(sf::RenderTarget& target, const Snapshot& s, const FrameInfo& info) {
  if (follow_ && selected_) {
    for (std::size_t i = 0; i < s.size(); ++i)
      if (s.id[i] == *selected_ && s.state[i] != std::uint8_t(AgentState::Exited)) {
        camera_.centreX = s.x[i];
        camera_.centreY = s.y[i];
      }
  }
  refreshBackground();
  target.setView(target.getDefaultView());
  const bool merge = overlay_ == Overlay::None && PeopleLayer::splats(camera_, s, options_.detail);
  if (merge) {
    // People splatted straight onto the map's pixels: one opaque pass for both.
    if (!backgroundImageValid_) {
      backgroundImage_ = background_->getTexture().copyToImage();
      backgroundImageValid_ = true;
    }
    stats_ = people_->draw(target, camera_, s, *this, options_.detail, selected_, &backgroundImage_);
  } else {
    sf::Sprite map(background_->getTexture());
    target.draw(map, sf::BlendNone);
    overlays_->draw(target, camera_, s, overlay_, navField_);
    stats_ = people_->draw(target, camera_, s, *this, options_.detail, selected_);
  }
  map_->drawLabels(target, camera_, font_);
  target.setView(target.getDefaultView());
  if (options_.panels) {
    const bool timeline = info.timelineEnd > 0;
    panelsLayer_->setBottomReserve(timeline ? Panels::kTimelineHeight + 8 : 0);
    if (timeline) panelsLayer_->drawTimeline(target, scenario_, s.time, info.timelineEnd, info.backwards);
    panelsLayer_->drawHud(target, *this, s, info, overlay_, navField_, world_);
    panelsLayer_->drawFeed(target, scenario_, s);
    if (legend_) {
      const OverlayLayer::Scale scale = overlays_->scale(overlay_, navField_);
      panelsLayer_->drawLegend(target, *this, *people_, s, overlay_ == Overlay::None ? nullptr : &scale);
    }
    if (selected_) panelsLayer_->drawInspector(target, *this, s, *selected_, world_);
    if (info.interventions) panelsLayer_->drawInterventions(target, scenario_, s, info);
  }
  if (help_) panelsLayer_->drawHelp(target, info.interventions);
}

void Viewer::refreshBackground() {
  const Camera& c = camera_;
  const Camera& b = backgroundCamera_;
  if (backgroundValid_ && c.centreX == b.centreX && c.centreY == b.centreY && c.metresPerPixel == b.metresPerPixel &&
      c.width == b.width && c.height == b.height)
    return;
  if (!background_) background_ = std::make_unique<sf::RenderTexture>();
  if (background_->getSize() != sf::Vector2u(unsigned(c.width), unsigned(c.height)) &&
      !background_->create(unsigned(c.width), unsigned(c.height)))
    throw std::runtime_error("cannot create an offscreen image of " + std::to_string(c.width) + " x " + std::to_string(c.height) + " pixels");
  background_->clear(kBackground);
  map_->draw(*background_, c);
  background_->display();
  backgroundCamera_ = c;
  backgroundValid_ = true;
  backgroundImageValid_ = false;
}

bool Viewer::saveImage(const Snapshot& snapshot, const FrameInfo& info, const std::string& file) {
  const sf::Vector2u size(unsigned(camera_.width), unsigned(camera_.height));
  if (!canvas_) canvas_ = std::make_unique<sf::RenderTexture>();
  if (canvas_->getSize() != size && !canvas_->create(size.x, size.y)) return false;
  draw(*canvas_, snapshot, info);
  canvas_->display();
  return canvas_->getTexture().copyToImage().saveToFile(file);
}

std::optional<double> Viewer::timelineTimeAt(const FrameInfo& info, int x, int y, bool dragging) const {
  if (!options_.panels || info.timelineEnd <= 0) return std::nullopt;
  return Panels::timelineTimeAt(sf::Vector2u(unsigned(camera_.width), unsigned(camera_.height)), info.timelineEnd, float(x),
                                float(y), dragging);
}

}  // namespace unrest::render
