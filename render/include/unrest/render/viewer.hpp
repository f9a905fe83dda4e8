// The viewer: draws a snapshot of the simulation over the city map, with overlays, a HUD, an event feed, a
// legend, an inspector for a selected person and a help card. It reads the scenario, the world and snapshots;
// it never holds the simulation itself (see runner.hpp for the thread that does).
#pragma once

#include "unrest/render/camera.hpp"
#include "unrest/render/snapshot.hpp"
#include "unrest/render/style.hpp"
#include "unrest/scenario.hpp"
#include "unrest/world.hpp"

#include <SFML/Graphics/Font.hpp>
#include <SFML/Graphics/Image.hpp>
#include <SFML/Graphics/RenderTarget.hpp>
#include <SFML/Graphics/RenderTexture.hpp>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace unrest::render {

enum class Overlay { None, Density, Pressure, Fear, Navigation };
const char* overlayName(Overlay o);

enum class ColourBy { Faction, Population };

// How people are drawn. Sprites: one textured quad per person in a vertex array (two draw calls for the whole
// crowd), shaped by role, with a ring for the condition. Auto: the same when bodies are kSplatBelowPixels across
// or more (then few people fit on the screen); below that the same symbols are blended into one screen-sized
// layer on the CPU and drawn as a single quad. Under a software OpenGL rasteriser (Mesa's llvmpipe, as under
// Xvfb) every primitive costs about a microsecond and every textured pixel is paid for, so 100,000 quads make
// under 10 frames per second on two cores, where the CPU layer makes more than 30.
enum class PeopleDetail { Auto, Sprites };
constexpr double kSplatBelowPixels = 12.0;

struct ViewerOptions {
  int width = 1280, height = 800;
  bool panels = true;
  PeopleDetail detail = PeopleDetail::Auto;
  std::vector<FactionStyle> factions;  // empty: the palette by faction index
};

// What the drawing loop knows that a snapshot does not.
struct FrameInfo {
  double fps = 0.0;
  double requestedSpeed = 1.0;  // 0: as fast as possible
  double timelineEnd = 0.0;     // a replay: the end of the timeline bar, s (0: a live run, no bar)
  bool backwards = false;       // a replay playing backwards
  // A live run that takes interventions: who the keys that need someone act on, and what the next click on the
  // map does (empty: it inspects a person).
  bool interventions = false;
  std::string interventionTarget, interventionTool;
};

// What the last draw did, for the benchmark and the tests.
struct DrawStats {
  std::size_t peopleDrawn = 0;
  std::size_t quads = 0;  // people quads sent to OpenGL (0 when splatted)
  bool splatted = false;
};

class MapLayer;
class PeopleLayer;
class OverlayLayer;
class Panels;

class Viewer {
public:
  // Loads the font (throws std::runtime_error naming it when missing) and builds the map layers.
  Viewer(const Scenario& scenario, const World& world, ViewerOptions options = {});
  ~Viewer();
  Viewer(const Viewer&) = delete;
  Viewer& operator=(const Viewer&) = delete;

  void draw(sf::RenderTarget& target, const Snapshot& snapshot, const FrameInfo& info = {});
  // Draws into an offscreen image of the viewer's size and writes it (PNG by the extension); false on failure.
  bool saveImage(const Snapshot& snapshot, const FrameInfo& info, const std::string& file);

  Camera& camera() { return camera_; }
  const Camera& camera() const { return camera_; }
  void fitMap();
  // Shows `width` metres across, centred on (x, y).
  void lookAt(double x, double y, double width);
  void resize(int width, int height);

  Overlay overlay() const { return overlay_; }
  void setOverlay(Overlay o) { overlay_ = o; }
  // Which destination's navigation field the Navigation overlay shows (index into the world's fields).
  void cycleNavigationField(int delta);
  void setNavigationField(int field) { navField_ = field; }
  int navigationField() const { return navField_; }
  ColourBy colourBy() const { return colourBy_; }
  void setColourBy(ColourBy c) { colourBy_ = c; }
  bool panels() const { return options_.panels; }
  void setPanels(bool on) { options_.panels = on; }
  void toggleLegend() { legend_ = !legend_; }
  void toggleHelp() { help_ = !help_; }
  bool helpShown() const { return help_; }
  void setHelp(bool on) { help_ = on; }

  // Selection by stable id; the camera follows it when `follow` is on.
  std::optional<std::uint32_t> selected() const { return selected_; }
  void select(std::optional<std::uint32_t> id) { selected_ = id; if (!id) follow_ = false; }
  // The person under pixel (sx, sy), if any: the nearest whose body, or a few pixels around it, holds the point.
  std::optional<std::uint32_t> pick(const Snapshot& snapshot, double sx, double sy) const;
  // A replay: the time under pixel (x, y) of the timeline bar; with `dragging`, anywhere along it.
  std::optional<double> timelineTimeAt(const FrameInfo& info, int x, int y, bool dragging) const;
  void setFollow(bool on) { follow_ = on && selected_.has_value(); }
  bool following() const { return follow_; }

  const DrawStats& lastStats() const { return stats_; }
  const Scenario& scenario() const { return scenario_; }
  sf::Color colourOf(const Snapshot& s, std::size_t i) const;
  sf::Color factionColour(int faction) const;
  std::string factionName(int faction) const;
  const sf::Font& font() const { return font_; }

private:
  const Scenario& scenario_;
  const World& world_;
  ViewerOptions options_;
  sf::Font font_;
  Camera camera_;
  Overlay overlay_ = Overlay::None;
  int navField_ = 0;
  ColourBy colourBy_ = ColourBy::Population;
  bool legend_ = true, help_ = false, follow_ = false;
  std::optional<std::uint32_t> selected_;
  DrawStats stats_;
  // The map and its labels drawn once for the current camera (a software rasteriser pays for every textured
  // pixel every frame; a plain copy is cheap), and the same as pixels for splatting people onto.
  void refreshBackground();
  std::unique_ptr<sf::RenderTexture> background_;
  Camera backgroundCamera_;
  bool backgroundValid_ = false, backgroundImageValid_ = false;
  sf::Image backgroundImage_;
  std::unique_ptr<sf::RenderTexture> canvas_;  // for saveImage
  std::unique_ptr<MapLayer> map_;
  std::unique_ptr<PeopleLayer> people_;
  std::unique_ptr<OverlayLayer> overlays_;
  std::unique_ptr<Panels> panelsLayer_;
};

// Where the viewer's font is: $UNREST_FONT, else DejaVu Sans from fonts-dejavu-core.
std::string fontPath();

}  // namespace unrest::render
