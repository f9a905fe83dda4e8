// Colours and symbols of the viewer, in one place: the legend, the drawing and the tests all read them here.
#pragma once

#include "unrest/population.hpp"

#include <SFML/Graphics/Color.hpp>

#include <array>
#include <string>
#include <vector>

namespace unrest::render {

// Okabe and Ito (2008), "Color Universal Design": eight colours told apart with every common colour-vision
// deficiency. Factions (or populations, when a scenario has no factions) take them in order.
inline const std::array<sf::Color, 8> kCategoryPalette{
    sf::Color(230, 159, 0),    // orange
    sf::Color(86, 180, 233),   // sky blue
    sf::Color(0, 158, 115),    // bluish green
    sf::Color(240, 228, 66),   // yellow
    sf::Color(0, 114, 178),    // blue
    sf::Color(213, 94, 0),     // vermillion
    sf::Color(204, 121, 167),  // reddish purple
    sf::Color(230, 230, 230),  // near white
};
inline sf::Color categoryColour(std::size_t index) { return kCategoryPalette[index % kCategoryPalette.size()]; }

// The map.
inline const sf::Color kBackground(16, 18, 21);   // outside the simulated rectangle
inline const sf::Color kBlock(48, 52, 59);        // not walkable: city blocks, courtyards
inline const sf::Color kBuilding(27, 29, 33);     // scenario obstacles: buildings, fences
inline const sf::Color kStreet(100, 106, 115);    // walkable ground
inline const sf::Color kWall(150, 156, 166);      // traced walls, when close enough to see them
inline const sf::Color kZoneOutline(226, 204, 140);
inline const sf::Color kText(235, 235, 235);
inline const sf::Color kPanel(12, 14, 17, 215);

// People whose condition is not calm carry a ring of the condition's colour; injured people are a white body with a
// red cross; arrested people are grey.
inline sf::Color conditionRing(Condition c) {
  switch (c) {
    case Condition::Active: return sf::Color(255, 255, 255);
    case Condition::Fighting: return sf::Color(255, 40, 40);
    case Condition::Fleeing: return sf::Color(255, 236, 0);
    case Condition::Looting: return sf::Color(255, 0, 255);
    default: return sf::Color::Transparent;
  }
}
// Coloured by faction, people outside every faction are grey, except the police and the army, who take the
// palette's bluish green: at the scale of a city the grey of soldiers was not told from the active (white) and the
// arrested (grey), and the forces are what a viewer of a deployment looks for.
inline const sf::Color kFactionless(200, 200, 200);
inline const sf::Color kForces(0, 158, 115);
inline sf::Color noFactionColour(Role r) { return r == Role::Police || r == Role::Soldier ? kForces : kFactionless; }
inline const sf::Color kInjuredBody(255, 255, 255);
inline const sf::Color kInjuredMark(230, 0, 0);
inline const sf::Color kArrestedBody(128, 128, 128);
inline const sf::Color kArmoured(107, 122, 58);
inline const sf::Color kCar(200, 215, 225);
inline const sf::Color kBarrierRed(220, 30, 30);
inline const sf::Color kBarrierWhite(245, 245, 245);

const char* roleName(Role r);
const char* conditionName(Condition c);

// A sequential colour ramp (after matplotlib's "inferno": dark purple, red, orange, pale yellow; legible with
// colour-vision deficiencies and in grey), for heat maps. t in [0, 1].
sf::Color heatColour(double t, std::uint8_t alpha = 255);

// How a faction is shown; the integrator fills these from the scenario's `factions:`. Empty: palette by index.
struct FactionStyle {
  std::string name;
  sf::Color colour;
};

}  // namespace unrest::render
