#include "unrest/population.hpp"

namespace unrest {

void Population::reserve(std::size_t n) {
  for (auto* v : {&x, &y, &vx, &vy, &scratchD_}) v->reserve(n);
  for (auto* v : {&radius, &desiredSpeed, &goalX, &goalY, &pressure, &overPressureTime, &dwell, &jailTerm, &carried, &fear, &facingX, &facingY, &scratchF_})
    v->reserve(n);
  for (auto* v : {&state, &marks, &role, &faction, &activity, &errand, &pass, &scratchU8_}) v->reserve(n);
  for (auto* v : {&field, &group, &shop, &patrolStop, &scratchU16_}) v->reserve(n);
  for (auto* v : {&id, &cell, &member, &quarry, &scratchU32_}) v->reserve(n);
}

void Population::pushBack(std::uint32_t agentId, std::uint16_t groupIndex, std::uint32_t memberIndex,
                          std::uint16_t fieldIndex, double px, double py, float r, float v0, float gx, float gy) {
  x.push_back(px);
  y.push_back(py);
  vx.push_back(0.0);
  vy.push_back(0.0);
  radius.push_back(r);
  desiredSpeed.push_back(v0);
  goalX.push_back(gx);
  goalY.push_back(gy);
  state.push_back(static_cast<std::uint8_t>(AgentState::Walking));
  field.push_back(fieldIndex);
  pressure.push_back(0.0f);
  marks.push_back(0);
  overPressureTime.push_back(0.0f);
  dwell.push_back(-1.0f);
  jailTerm.push_back(0.0f);
  id.push_back(agentId);
  group.push_back(groupIndex);
  role.push_back(static_cast<std::uint8_t>(Role::Civilian));
  faction.push_back(kNoFaction);
  activity.push_back(static_cast<std::uint8_t>(Activity::Quiet));
  fear.push_back(0.0f);
  facingX.push_back(0.0f);
  facingY.push_back(0.0f);
  member.push_back(memberIndex);
  quarry.push_back(0);
  shop.push_back(0);
  carried.push_back(0.0f);
  patrolStop.push_back(0);
  errand.push_back(static_cast<std::uint8_t>(Errand::None));
  pass.push_back(0);
  cell.push_back(0);
}

namespace {
template <class T>
void gather(std::vector<T>& column, const std::vector<std::uint32_t>& order, std::vector<T>& scratch, int threads) {
  scratch.resize(order.size());
  const auto n = static_cast<std::int64_t>(order.size());
#pragma omp parallel for schedule(static) num_threads(threads) if (n > 4096)
  for (std::int64_t k = 0; k < n; ++k) scratch[k] = column[order[k]];
  column.swap(scratch);
}
}  // namespace

void Population::reorder(const std::vector<std::uint32_t>& order, int threads) {
  for (auto* v : {&x, &y, &vx, &vy}) gather(*v, order, scratchD_, threads);
  for (auto* v : {&radius, &desiredSpeed, &goalX, &goalY, &pressure, &overPressureTime, &dwell, &jailTerm, &carried, &fear, &facingX, &facingY})
    gather(*v, order, scratchF_, threads);
  for (auto* v : {&state, &marks, &role, &faction, &activity, &errand, &pass}) gather(*v, order, scratchU8_, threads);
  for (auto* v : {&field, &group, &shop, &patrolStop}) gather(*v, order, scratchU16_, threads);
  for (auto* v : {&id, &cell, &member, &quarry}) gather(*v, order, scratchU32_, threads);
}

std::size_t Population::bytesPerAgent() const {
  return 4 * sizeof(double) + 13 * sizeof(float) + 7 * sizeof(std::uint8_t) + 4 * sizeof(std::uint16_t) +
         4 * sizeof(std::uint32_t);
}

}  // namespace unrest
