/// The shortest round-tripping decimal digits of a finite, non-zero double, as
/// `0.d₁d₂…dₙ × 10^pointPosition` with no leading or trailing zero digits.
struct ShortestDecimal {
    var negative = false
    var digits: [UInt8] = []
    var pointPosition = 0

    init(_ number: Double) {
        // `description` is "123.45", "0.001", "1e-07", "1.5e+300", "-2.0"...
        var integerDigits = 0
        var seenPoint = false
        var exponent = 0
        var exponentNegative = false
        var inExponent = false
        for byte in number.description.utf8 {
            switch byte {
            case UInt8(ascii: "-"):
                if inExponent { exponentNegative = true } else { negative = true }
            case UInt8(ascii: "+"):
                break
            case UInt8(ascii: "."):
                seenPoint = true
            case UInt8(ascii: "e"), UInt8(ascii: "E"):
                inExponent = true
            case UInt8(ascii: "0")...UInt8(ascii: "9"):
                if inExponent {
                    exponent = exponent * 10 + Int(byte - UInt8(ascii: "0"))
                } else if digits.isEmpty && byte == UInt8(ascii: "0") {
                    if seenPoint { integerDigits -= 1 }
                } else {
                    digits.append(byte)
                    if !seenPoint { integerDigits += 1 }
                }
            default:
                break
            }
        }
        while digits.count > 1, digits.last == UInt8(ascii: "0") { digits.removeLast() }
        if digits.isEmpty { digits = [UInt8(ascii: "0")] }
        pointPosition = integerDigits + (exponentNegative ? -exponent : exponent)
    }
}
