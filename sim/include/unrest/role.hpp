// The parts people play and the factions they belong to, as the scenario names them and the people arrays store them.
#pragma once

#include <cstdint>

namespace unrest {

// What part a person plays. Police and soldiers count towards the arrest probability civilians estimate; volunteers
// deter looting but cannot arrest.
enum class Role : std::uint8_t { Civilian, Police, Soldier, Volunteer };
constexpr int kRoleCount = 4;
// A person's faction is stored in a byte; this value means none, so a scenario has at most 254 factions.
constexpr std::uint8_t kNoFaction = 0xff;

}  // namespace unrest
