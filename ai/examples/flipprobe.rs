use meeteasy_ai::ModelInventory;
use meeteasy_ai::ocr::{ModelPaths, OcrEngine, OcrOptions};
fn main() {
    let paths = ModelPaths::from_inventory(&ModelInventory::new("/work/main/models-data")).unwrap();
    let opts = OcrOptions { use_cls: false, text_score: 0.0, verify_flip: false, ..OcrOptions::default() };
    let e = OcrEngine::with_options(paths, 2, opts).unwrap();
    for f in std::env::args().skip(1) {
        let img = image::open(&f).unwrap();
        for (tag, im) in [("up", img.clone()), ("180", img.rotate180())] {
            let lines = e.recognize(&im).unwrap();
            let mut confs: Vec<f32> = lines.iter().map(|l| l.confidence).collect();
            confs.sort_by(f32::total_cmp);
            let n = confs.len();
            println!(
                "{f} {tag}: {n} lines, conf min {:?} median {:?} max {:?}; >=0.9: {}",
                confs.first(),
                confs.get(n / 2),
                confs.last(),
                confs.iter().filter(|c| **c >= 0.9).count()
            );
            if tag == "180" {
                for l in lines.iter().filter(|l| l.confidence >= 0.8) {
                    println!("   {:.3} {}", l.confidence, l.text);
                }
            }
        }
    }
}
