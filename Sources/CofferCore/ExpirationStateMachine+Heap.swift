/// The indexed min-heap behind ``ExpirationStateMachine``: `heap` holds slot numbers
/// ordered by (due, order), and every slot records its own position, so a lease can be
/// moved or taken out in O(log n) without leaving a stale entry behind.
extension ExpirationStateMachine {
    /// Whether the slot at heap position `a` must come before the one at `b`.
    private func precedes(_ a: Int, _ b: Int) -> Bool {
        let left = slots[heap[a]]
        let right = slots[heap[b]]
        return left.due != right.due ? left.due < right.due : left.order < right.order
    }

    private mutating func swapAt(_ a: Int, _ b: Int) {
        heap.swapAt(a, b)
        slots[heap[a]].heapIndex = a
        slots[heap[b]].heapIndex = b
    }

    mutating func heapInsert(_ slot: Int) {
        heap.append(slot)
        slots[slot].heapIndex = heap.count - 1
        siftUp(heap.count - 1)
    }

    /// Takes the entry at `index` out of the heap.
    mutating func heapRemove(at index: Int) {
        let slot = heap[index]
        let last = heap.count - 1
        if index != last { swapAt(index, last) }
        heap.removeLast()
        slots[slot].heapIndex = -1
        if index < heap.count { heapFix(at: index) }
    }

    /// Restores order after the entry at `index` changed its key either way.
    mutating func heapFix(at index: Int) {
        if index > 0 && precedes(index, (index - 1) / 2) {
            siftUp(index)
        } else {
            siftDown(index)
        }
    }

    private mutating func siftUp(_ start: Int) {
        var index = start
        while index > 0 {
            let parent = (index - 1) / 2
            guard precedes(index, parent) else { return }
            swapAt(index, parent)
            index = parent
        }
    }

    private mutating func siftDown(_ start: Int) {
        var index = start
        while true {
            let left = 2 * index + 1
            guard left < heap.count else { return }
            var child = left
            if left + 1 < heap.count && precedes(left + 1, left) { child = left + 1 }
            guard precedes(child, index) else { return }
            swapAt(index, child)
            index = child
        }
    }

    /// Checks the heap's invariants (tests call it after every step): order, positions,
    /// and that exactly the scheduled leases are in it.
    func heapIsConsistent() -> Bool {
        for (position, slot) in heap.enumerated() {
            guard slots[slot].heapIndex == position, slots[slot].phase == .scheduled, !slots[slot].id.isEmpty else {
                return false
            }
            if position > 0 && precedes(position, (position - 1) / 2) { return false }
        }
        let scheduled = handles.values.filter { slots[$0].phase == .scheduled }.count
        return scheduled == heap.count && handles.count + freeSlots.count == slots.count
    }
}
