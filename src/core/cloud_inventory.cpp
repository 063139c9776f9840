#include "core/cloud_inventory.h"

namespace costwise {

const std::string& AddressKey(const CloudAddress& address) {
  return address.allocation_id.empty() ? address.public_ip : address.allocation_id;
}

}  // namespace costwise
