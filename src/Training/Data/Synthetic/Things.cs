using static DaFormer.Training.Data.Synthetic.CsClass;

namespace DaFormer.Training.Data.Synthetic;

/// Drawing of the objects of a street scene in metres at a given depth: vehicles (rear view),
/// people, two-wheelers (side view), poles with lights and signs. Each draws flat colours per part;
/// all parts carry the object's class.
public static class Things
{
    static float U(Random r, float lo, float hi) => StreetView.Draw(r, lo, hi);
    static Rgb Pick(Random r, params Rgb[] c) => c[r.Next(c.Length)];

    static readonly Rgb[] CarPaint =
    [
        Rgb.Of(200, 30, 30), Rgb.Of(30, 60, 160), Rgb.Of(230, 230, 230), Rgb.Of(25, 25, 28), Rgb.Of(160, 160, 170),
        Rgb.Of(40, 110, 60), Rgb.Of(220, 180, 40), Rgb.Of(120, 30, 40), Rgb.Of(90, 90, 100),
    ];
    static readonly Rgb[] Clothes =
    [
        Rgb.Of(180, 40, 40), Rgb.Of(40, 60, 140), Rgb.Of(30, 30, 30), Rgb.Of(220, 220, 210), Rgb.Of(60, 120, 70),
        Rgb.Of(200, 150, 60), Rgb.Of(110, 70, 130), Rgb.Of(90, 90, 95),
    ];

    /// Axis-aligned box in metres (lateral x0..x1, heights h0..h1) at depth z.
    static void Box(Canvas c, StreetView v, float x0, float x1, float h0, float h1, float z, byte cls, Rgb col) =>
        c.Rect(v.X(x0, z), v.Y(h1, z), v.X(x1, z), v.Y(h0, z), cls, col);

    public static void DrawCar(Canvas c, StreetView v, float x, float z, Random r)
    {
        float w = U(r, 1.7f, 1.95f) / 2, h = U(r, 1.4f, 1.65f);
        var paint = Pick(r, CarPaint).Jitter(r, 12);
        Box(c, v, x - w, x + w, 0.25f, 0.85f, z, Car, paint);
        Span<(float, float)> cabin = [(v.X(x - w, z), v.Y(0.85f, z)), (v.X(x + w, z), v.Y(0.85f, z)), (v.X(x + w * 0.78f, z), v.Y(h, z)), (v.X(x - w * 0.78f, z), v.Y(h, z))];
        c.Polygon(cabin, Car, paint);
        Box(c, v, x - w * 0.7f, x + w * 0.7f, 0.92f, h - 0.08f, z, Car, Rgb.Of(45, 55, 65).Jitter(r, 8));
        Box(c, v, x - w, x - w + 0.3f, 0f, 0.35f, z, Car, Rgb.Of(20, 20, 20));
        Box(c, v, x + w - 0.3f, x + w, 0f, 0.35f, z, Car, Rgb.Of(20, 20, 20));
        Box(c, v, x - w + 0.05f, x - w + 0.35f, 0.6f, 0.75f, z, Car, Rgb.Of(210, 20, 20));
        Box(c, v, x + w - 0.35f, x + w - 0.05f, 0.6f, 0.75f, z, Car, Rgb.Of(210, 20, 20));
    }

    public static void DrawTruck(Canvas c, StreetView v, float x, float z, Random r)
    {
        float w = 1.25f, h = U(r, 3.0f, 3.8f);
        Box(c, v, x - w, x + w, 0.55f, h, z, Truck, Pick(r, Rgb.Of(225, 225, 220), Rgb.Of(170, 170, 175), Rgb.Of(60, 90, 150)).Jitter(r, 10));
        Box(c, v, x - w + 0.1f, x + w - 0.1f, 0.3f, 0.55f, z, Truck, Rgb.Of(50, 50, 50));
        Box(c, v, x - w, x - w + 0.4f, 0f, 0.5f, z, Truck, Rgb.Of(20, 20, 20));
        Box(c, v, x + w - 0.4f, x + w, 0f, 0.5f, z, Truck, Rgb.Of(20, 20, 20));
        Box(c, v, x - 0.05f, x + 0.05f, 0.7f, h - 0.1f, z, Truck, Rgb.Of(120, 120, 120));
    }

    public static void DrawBus(Canvas c, StreetView v, float x, float z, Random r)
    {
        float w = 1.28f, h = U(r, 3.0f, 3.3f);
        var body = Pick(r, Rgb.Of(230, 190, 30), Rgb.Of(200, 40, 40), Rgb.Of(40, 90, 170), Rgb.Of(240, 240, 240)).Jitter(r, 10);
        Box(c, v, x - w, x + w, 0.3f, h, z, Bus, body);
        Box(c, v, x - w + 0.1f, x + w - 0.1f, 1.1f, h - 0.45f, z, Bus, Rgb.Of(40, 50, 60).Jitter(r, 6));
        Box(c, v, x - w + 0.3f, x + w - 0.3f, h - 0.38f, h - 0.12f, z, Bus, Rgb.Of(250, 150, 20));
        Box(c, v, x - w, x - w + 0.4f, 0f, 0.45f, z, Bus, Rgb.Of(20, 20, 20));
        Box(c, v, x + w - 0.4f, x + w, 0f, 0.45f, z, Bus, Rgb.Of(20, 20, 20));
    }

    /// A tram seen from the front: tall, rounded roof, windscreen, pantograph.
    public static void DrawTrain(Canvas c, StreetView v, float x, float z, Random r)
    {
        float w = 1.32f, h = 3.5f;
        var body = Pick(r, Rgb.Of(190, 190, 200), Rgb.Of(180, 30, 40), Rgb.Of(230, 230, 230)).Jitter(r, 8);
        Box(c, v, x - w, x + w, 0.2f, h - 0.3f, z, Train, body);
        c.Ellipse(v.X(x, z), v.Y(h - 0.3f, z), v.PixelsPerMetre(z) * w, v.PixelsPerMetre(z) * 0.3f, Train, body);
        Box(c, v, x - w + 0.15f, x + w - 0.15f, 1.4f, h - 0.5f, z, Train, Rgb.Of(35, 45, 55));
        Box(c, v, x - w, x + w, 0.2f, 0.5f, z, Train, Rgb.Of(60, 60, 60));
        var ppm = v.PixelsPerMetre(z);
        c.Line(v.X(x - 0.5f, z), v.Y(h, z), v.X(x, z), v.Y(h + 0.9f, z), 0.06f * ppm, Train, Rgb.Of(50, 50, 50));
        c.Line(v.X(x + 0.5f, z), v.Y(h, z), v.X(x, z), v.Y(h + 0.9f, z), 0.06f * ppm, Train, Rgb.Of(50, 50, 50));
    }

    /// A standing (cls = Person) or seated (on a two-wheeler, cls = Rider, `seatHeight` > 0) person.
    public static void DrawPerson(Canvas c, StreetView v, float x, float z, Random r, byte cls = CsClass.Person, float seatHeight = 0)
    {
        var h = U(r, 1.55f, 1.9f);
        var ppm = v.PixelsPerMetre(z);
        Rgb shirt = Pick(r, Clothes).Jitter(r, 15), pants = Pick(r, Clothes).Scale(0.6).Jitter(r, 10), skin = Rgb.Of(225, 180, 150).Jitter(r, 20);
        float hip = seatHeight > 0 ? seatHeight : 0.47f * h, top = hip + 0.37f * h;
        if (seatHeight > 0)
        {
            c.Line(v.X(x - 0.05f, z), v.Y(hip, z), v.X(x + 0.25f, z), v.Y(0.35f, z), 0.14f * ppm, cls, pants);
        }
        else
        {
            Box(c, v, x - 0.17f, x - 0.03f, 0f, hip, z, cls, pants);
            Box(c, v, x + 0.03f, x + 0.17f, 0f, hip, z, cls, pants);
        }
        Box(c, v, x - 0.22f, x + 0.22f, hip, top, z, cls, shirt);
        Box(c, v, x - 0.3f, x - 0.22f, hip + 0.05f, top - 0.05f, z, cls, shirt.Scale(0.85));
        Box(c, v, x + 0.22f, x + 0.3f, hip + 0.05f, top - 0.05f, z, cls, shirt.Scale(0.85));
        c.Ellipse(v.X(x, z), v.Y(top + 0.13f, z), 0.11f * ppm, 0.13f * ppm, cls, skin);
    }

    /// Side view of a bicycle or motorcycle, optionally with its rider.
    public static void DrawTwoWheeler(Canvas c, StreetView v, float x, float z, Random r, bool motor, bool withRider)
    {
        var ppm = v.PixelsPerMetre(z);
        var cls = motor ? Motorcycle : Bicycle;
        float radius = motor ? 0.3f : 0.34f, half = motor ? 0.7f : 0.55f;
        var frame = motor ? Pick(r, Rgb.Of(30, 30, 30), Rgb.Of(180, 30, 30), Rgb.Of(40, 70, 150)).Jitter(r, 10)
                          : Pick(r, Rgb.Of(150, 20, 40), Rgb.Of(30, 60, 140), Rgb.Of(40, 40, 40), Rgb.Of(200, 200, 200)).Jitter(r, 10);
        var tyre = Rgb.Of(20, 20, 20);
        foreach (var dx in new[] { -half, half })
            c.Ellipse(v.X(x + dx, z), v.Y(radius, z), radius * ppm, radius * ppm, cls, tyre, motor ? 0f : 0.7f);
        if (motor)
        {
            c.Ellipse(v.X(x, z), v.Y(0.6f, z), 0.6f * ppm, 0.22f * ppm, cls, frame);
            Box(c, v, x - 0.15f, x + 0.3f, 0.6f, 0.85f, z, cls, frame.Scale(0.8));
        }
        else
        {
            var t = MathF.Max(0.05f * ppm, 1f);
            c.Line(v.X(x - half, z), v.Y(radius, z), v.X(x, z), v.Y(radius, z), t, cls, frame);
            c.Line(v.X(x, z), v.Y(radius, z), v.X(x + half * 0.8f, z), v.Y(0.85f, z), t, cls, frame);
            c.Line(v.X(x - half, z), v.Y(radius, z), v.X(x - 0.1f, z), v.Y(0.8f, z), t, cls, frame);
            c.Line(v.X(x - 0.1f, z), v.Y(0.8f, z), v.X(x + half * 0.8f, z), v.Y(0.85f, z), t, cls, frame);
            c.Line(v.X(x + half * 0.8f, z), v.Y(0.85f, z), v.X(x + half, z), v.Y(radius, z), t, cls, frame);
        }
        if (withRider) DrawPerson(c, v, x - 0.1f, z, r, Rider, seatHeight: motor ? 0.85f : 0.9f);
    }

    /// A pole with, optionally, a traffic light on top or a sign plate; `towardRoad` = ±1.
    public static void DrawPole(Canvas c, StreetView v, float x, float z, Random r, bool light, bool sign, float towardRoad)
    {
        var ppm = v.PixelsPerMetre(z);
        var h = light ? U(r, 4.5f, 6f) : U(r, 3f, 5f);
        var grey = Rgb.Of(105, 105, 110).Jitter(r, 10);
        var half = MathF.Max(0.07f, 0.6f / ppm);
        Box(c, v, x - half, x + half, 0f, h, z, Pole, grey);
        if (light)
        {
            var ax = x + towardRoad * U(r, 0.6f, 2.5f);
            Box(c, v, MathF.Min(x, ax), MathF.Max(x, ax), h - 0.12f, h, z, Pole, grey);
            Box(c, v, ax - 0.2f, ax + 0.2f, h - 1.0f, h - 0.05f, z, Light, Rgb.Of(30, 32, 30));
            var lamp = Pick(r, Rgb.Of(230, 40, 30), Rgb.Of(240, 190, 20), Rgb.Of(40, 220, 90));
            c.Ellipse(v.X(ax, z), v.Y(h - 0.5f, z), 0.12f * ppm, 0.12f * ppm, Light, lamp);
        }
        if (sign)
        {
            var sy = U(r, 2.0f, 2.6f);
            var shape = r.Next(3);
            var face = Pick(r, Rgb.Of(235, 200, 20), Rgb.Of(30, 70, 180), Rgb.Of(240, 240, 240), Rgb.Of(200, 30, 30));
            if (shape == 0) Box(c, v, x - 0.35f, x + 0.35f, sy, sy + 0.6f, z, Sign, face);
            else if (shape == 1) c.Ellipse(v.X(x, z), v.Y(sy + 0.32f, z), 0.33f * ppm, 0.33f * ppm, Sign, face);
            else
            {
                Span<(float, float)> tri = [(v.X(x - 0.4f, z), v.Y(sy, z)), (v.X(x + 0.4f, z), v.Y(sy, z)), (v.X(x, z), v.Y(sy + 0.7f, z))];
                c.Polygon(tri, Sign, face);
            }
        }
    }
}
