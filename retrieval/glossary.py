"""An English → Indonesian glossary for lexical search of English questions.

The dense model is multilingual, but BM25 only matches words. For a question in
English, `retrieval.text.content_terms(..., translate=True)` replaces each English
word found here by the Indonesian word a news article or an encyclopedia would use
(a root or a common form; Sastrawi stems it afterwards), so the lexical index can
help instead of contributing nothing.

About 2,600 words written for this project: politics and diplomacy, military and
security, economy, law, health, science and technology, geography (countries,
nationalities, cities, terrain), history, culture and religion, sports, education,
transport, environment and weather, time words, numbers, and the verbs, nouns and
adjectives questions are made of. Each English word maps to one Indonesian word.
Function words and question words are not here: they are stopwords ("why" and
"because" are older entries kept for the reason words articles use). Words spelt the
same in both languages are only listed when they already were; a missing word
simply stays as it is. `question_terms` looks every question word up here, Indonesian
questions too, so English words that are also Indonesian words with another meaning
("main", "koran", "solar", "mayor", "online") are left out.
"""

from __future__ import annotations

import re

# The first glossary (news about NATO, the EU and Ukraine); the sections below extend it.
_PAIRS = """
aid=bantuan assistance=bantuan help=bantu support=dukung supports=dukung supported=dukung
military=militer army=tentara troops=tentara soldiers=tentara soldier=tentara personnel=personel
defence=pertahanan defense=pertahanan security=keamanan safety=keamanan
weapon=senjata weapons=senjata arms=senjata ammunition=amunisi munitions=amunisi shells=amunisi
missile=rudal missiles=rudal drone=nirawak drones=nirawak
air=udara systems=sistem system=sistem
war=perang wars=perang conflict=konflik battle=pertempuran battlefield=medan
attack=serangan attacks=serangan strike=serangan strikes=serangan invasion=invasi invaded=invasi
invade=invasi aggression=agresi threat=ancaman threats=ancaman sanctions=sanksi
peace=perdamaian negotiation=negosiasi negotiations=negosiasi talks=perundingan
minister=menteri ministers=menteri foreign=luar secretary=sekretaris general=jenderal
president=presiden prime=perdana leader=pemimpin leaders=pemimpin spokesman=juru spokesperson=juru
chief=kepala head=kepala official=pejabat officials=pejabat ally=sekutu allies=sekutu
alliance=aliansi member=anggota members=anggota membership=keanggotaan join=bergabung joined=bergabung
summit=puncak meeting=pertemuan meetings=pertemuan conference=konferensi council=dewan
country=negara countries=negara state=negara states=negara nation=negara nations=negara
europe=eropa european=eropa union=uni america=amerika american=amerika united=serikat
russia=rusia russian=rusia ukraine=ukraina ukrainian=ukraina china=china chinese=china
germany=jerman german=jerman france=prancis french=prancis sweden=swedia swedish=swedia
finland=finlandia poland=polandia polish=polandia hungary=hongaria netherlands=belanda dutch=belanda
japan=jepang korea=korea north=utara south=selatan east=timur west=barat eastern=timur western=barat
australia=australia zealand=selandia belgium=belgia lithuania=lituania iran=iran
money=dana fund=dana funds=dana funding=pendanaan budget=anggaran billion=miliar million=juta
trillion=triliun thousand=ribu euro=euro euros=euro dollar=dolar dollars=dolar cost=biaya
year=tahun years=tahun month=bulan months=bulan monthly=bulan week=minggu weeks=minggu day=hari
days=hari night=malam first=pertama half=paruh last=lalu next=depan future=depan
new=baru old=lama former=mantan successor=pengganti replace=pengganti replaces=pengganti
replaced=pengganti resign=mundur resigns=mundur step=mundur down=mundur
recruit=rekrut recruits=rekrut recruiting=rekrut losses=kerugian loss=kerugian
command=komando centre=pusat center=pusat headquarters=markas base=pangkalan
training=pelatihan train=latih industry=industri industrial=industri production=produksi
energy=energi electricity=listrik power=listrik infrastructure=infrastruktur residents=penduduk
people=orang killed=tewas dead=tewas city=kota capital=ibu region=wilayah territory=wilayah
border=perbatasan birthday=ulang anniversary=ulang collective=kolektif
intelligence=intelijen information=informasi sabotage=sabotase cyber=siber artificial=buatan
plan=rencana plans=rencana strategy=strategi document=dokumen white=putih paper=buku book=buku
commitment=komitmen target=target promise=janji pledge=janji pledged=janji decision=keputusan
decide=putuskan agreed=sepakat agree=sepakat agreement=kesepakatan consensus=konsensus
partner=mitra partners=mitra partnership=kemitraan cooperation=kerja global=global
why=alasan reason=alasan because=karena cold=dingin winter=dingin
founded=didirikan founding=didirikan established=didirikan original=awal start=mulai began=mulai
reconstruction=rekonstruksi urgent=mendesak needs=kebutuhan need=butuh needed=butuh
threatened=ancam said=kata says=kata say=kata told=kata warned=peringatkan warn=peringatkan
"""

# Government, politics and diplomacy.
_POLITICS = """
government=pemerintah governments=pemerintah governing=pemerintahan govern=perintah
governor=gubernur governors=gubernur parliament=parlemen parliamentary=parlemen congress=kongres
senate=senat senators=senator lawmaker=legislator lawmakers=legislator legislature=legislatif
legislative=legislatif executive=eksekutif judiciary=yudikatif election=pemilihan
elections=pemilihan electoral=pemilihan elect=pilih elected=terpilih vote=suara votes=suara
voted=memilih voter=pemilih voters=pemilih ballot=suara candidate=calon candidates=calon
candidacy=pencalonan campaign=kampanye campaigns=kampanye party=partai parties=partai
opposition=oposisi coalition=koalisi democracy=demokrasi democratic=demokratis
democrats=demokrat republic=republik republican=republik republicans=republik monarchy=monarki
kingdom=kerajaan king=raja kings=raja queen=ratu prince=pangeran princess=putri emperor=kaisar
empire=kekaisaran dynasty=dinasti throne=takhta crown=mahkota reign=pemerintahan ruler=penguasa
rulers=penguasa ruled=perintah regime=rezim dictator=diktator dictatorship=kediktatoran
constitution=konstitusi constitutional=konstitusi amendment=amandemen law=hukum laws=hukum
bill=rancangan policy=kebijakan policies=kebijakan reform=reformasi reforms=reformasi
cabinet=kabinet ministry=kementerian ministries=kementerian department=departemen agency=badan
agencies=badan authority=otoritas authorities=otoritas administration=pemerintahan
bureaucracy=birokrasi province=provinsi provinces=provinsi provincial=provinsi
district=kabupaten regency=kabupaten village=desa villages=desa municipality=kota
federation=federasi independence=kemerdekaan independent=merdeka sovereignty=kedaulatan
sovereign=berdaulat colony=koloni colonies=koloni colonial=kolonial colonialism=kolonialisme
proclamation=proklamasi proclaimed=proklamasi declared=nyatakan declare=nyatakan
declaration=deklarasi citizen=warga citizens=warga citizenship=kewarganegaraan
nationality=kewarganegaraan population=penduduk populations=penduduk populated=penduduk
inhabitants=penduduk inhabitant=penduduk immigrant=imigran immigrants=imigran
immigration=imigrasi refugee=pengungsi refugees=pengungsi asylum=suaka migrant=migran
migrants=migran migration=migrasi diplomats=diplomat diplomacy=diplomasi diplomatic=diplomatik
embassy=kedutaan embassies=kedutaan ambassador=duta ambassadors=duta envoy=utusan envoys=utusan
consulate=konsulat treaty=perjanjian treaties=perjanjian accord=kesepakatan accords=kesepakatan
pact=pakta deal=kesepakatan deals=kesepakatan ceasefire=gencatan truce=gencatan
armistice=gencatan resolution=resolusi resolutions=resolusi protest=protes protests=protes
protesters=pengunjuk demonstration=demonstrasi demonstrations=demonstrasi
demonstrators=demonstran riot=kerusuhan riots=kerusuhan unrest=kerusuhan revolution=revolusi
revolutionary=revolusioner coup=kudeta rebellion=pemberontakan uprising=pemberontakan
rebels=pemberontak rebel=pemberontak insurgents=pemberontak insurgency=pemberontakan
statement=pernyataan statements=pernyataan announce=umumkan announced=umumkan announces=umumkan
announcement=pengumuman speech=pidato speeches=pidato interview=wawancara press=pers
journalist=wartawan journalists=wartawan reporter=wartawan reporters=wartawan news=berita
newspaper=koran newspapers=koran censorship=sensor vice=wakil deputy=wakil chairman=ketua
chairwoman=ketua chairperson=ketua chair=ketua speaker=ketua representative=perwakilan
representatives=perwakilan delegation=delegasi delegations=delegasi delegate=delegasi
delegates=delegasi committee=komite commission=komisi commissioner=komisioner
secretariat=sekretariat organization=organisasi organisation=organisasi organizations=organisasi
organisations=organisasi institution=lembaga institutions=lembaga institute=institut
national=nasional nationalism=nasionalisme international=internasional domestic=domestik
external=eksternal local=lokal politics=politik political=politik politician=politikus
politicians=politikus ideology=ideologi communist=komunis communists=komunis communism=komunisme
socialist=sosialis socialism=sosialisme capitalism=kapitalisme capitalist=kapitalis
conservative=konservatif conservatives=konservatif fascism=fasisme fascist=fasis nazis=nazi
terrorist=teroris terrorists=teroris terrorism=terorisme extremist=ekstremis
extremists=ekstremis extremism=ekstremisme radical=radikal separatist=separatis
separatists=separatis militant=militan militants=militan hostage=sandera hostages=sandera
kidnapped=culik kidnapping=penculikan assassination=pembunuhan assassinated=bunuh
presidency=kepresidenan presidential=presiden premier=perdana chancellor=kanselir mandate=mandat
sanction=sanksi sanctioned=sanksi diplomatically=diplomatik negotiator=perunding
negotiators=perunding negotiate=runding negotiated=runding mediation=mediasi dialogue=dialog
cooperate=kerja relations=hubungan relation=hubungan relationship=hubungan ties=hubungan
neighbor=tetangga neighbour=tetangga neighbors=tetangga neighbours=tetangga neighboring=tetangga
neighbouring=tetangga enemy=musuh enemies=musuh rivals=rival rivalry=persaingan
friendly=bersahabat hostile=bermusuhan tension=ketegangan tensions=ketegangan dispute=sengketa
disputes=sengketa disputed=sengketa crisis=krisis crises=krisis influence=pengaruh
influential=berpengaruh superpower=adidaya bloc=blok
"""

# Armed forces, war and security.
_MILITARY = """
navy=laut naval=laut force=kekuatan forces=pasukan armed=bersenjata marine=marinir
marines=marinir sailor=pelaut sailors=pelaut pilots=pilot officer=perwira officers=perwira
commander=komandan commanders=komandan colonel=kolonel admiral=laksamana captain=kapten
lieutenant=letnan sergeant=sersan veterans=veteran battalion=batalion battalions=batalion
brigades=brigade division=divisi regiment=resimen units=unit squad=regu platoon=peleton
tanks=tank artillery=artileri rifle=senapan rifles=senapan gun=senjata guns=senjata
bullet=peluru bullets=peluru bomb=bom bombs=bom bombing=pengeboman bombings=pengeboman
bombed=bom bomber=pengebom bombers=pengebom explosives=peledak explosion=ledakan
explosions=ledakan blast=ledakan grenade=granat grenades=granat landmine=ranjau landmines=ranjau
nuclear=nuklir warhead=hulu warheads=hulu rocket=roket rockets=roket jets=jet fighter=tempur
fighters=tempur aircraft=pesawat airplane=pesawat airplanes=pesawat plane=pesawat planes=pesawat
helicopter=helikopter helicopters=helikopter warship=kapal warships=kapal ship=kapal ships=kapal
vessel=kapal vessels=kapal submarine=selam submarines=selam fleet=armada frigate=fregat
satellite=satelit satellites=satelit offensive=serangan counteroffensive=serangan
defensive=defensif operation=operasi operations=operasi mission=misi missions=misi
patrol=patroli patrols=patroli exercise=latihan exercises=latihan drill=latihan drills=latihan
deployment=pengerahan deployed=kerahkan deploy=kerahkan mobilization=mobilisasi
mobilisation=mobilisasi conscription=wajib recruitment=perekrutan recruited=rekrut
casualties=korban casualty=korban victims=korban victim=korban wounded=luka injured=luka
injuries=luka injury=luka death=kematian deaths=kematian died=meninggal die=meninggal
dies=meninggal dying=meninggal kill=bunuh kills=bunuh killing=pembunuhan killings=pembunuhan
murder=pembunuhan murdered=bunuh flee=lari fled=lari escape=lari escaped=lari captured=tangkap
capture=tangkap prisoner=tahanan prisoners=tahanan captive=tawanan captives=tawanan
occupation=pendudukan occupied=duduki occupy=duduki liberated=bebaskan liberation=pembebasan
liberate=bebaskan siege=pengepungan besieged=kepung surrender=menyerah surrendered=menyerah
defeat=kekalahan defeated=kalahkan victory=kemenangan victories=kemenangan frontline=depan
front=depan trench=parit trenches=parit guard=penjaga guards=penjaga police=polisi
policeman=polisi espionage=spionase spy=spionase spies=spionase spying=spionase shield=perisai
weaponry=persenjataan stockpile=stok stockpiles=stok interceptor=pencegat interceptors=pencegat
airspace=udara airstrike=serangan airstrikes=serangan bombardment=pengeboman shelling=penembakan
shot=tembak shoot=tembak shooting=penembakan fire=api raid=serangan raids=serangan
annexation=aneksasi annexed=aneksasi annex=aneksasi invader=penjajah invaders=penjajah
occupier=penjajah occupiers=penjajah battles=pertempuran fought=tempur fight=lawan
fighting=pertempuran combat=tempur warfare=perang wartime=perang militia=milisi militias=milisi
mercenary=bayaran mercenaries=bayaran deterrence=penangkalan deterrent=penangkal
escalation=eskalasi escalate=eskalasi retaliation=pembalasan retaliate=balas
counterattack=serangan ambush=penyergapan checkpoint=pos outpost=pos garrison=garnisun
reinforcements=bala disarmament=perlucutan demilitarized=demiliterisasi neutrality=netralitas
neutral=netral threaten=ancam threatening=ancam danger=bahaya dangerous=berbahaya
"""

# Economy, finance, trade, work, energy and resources.
_ECONOMY = """
economy=ekonomi economic=ekonomi economies=ekonomi economist=ekonom economists=ekonom
finance=keuangan financial=keuangan finances=keuangan banks=bank banking=perbankan central=pusat
currency=uang currencies=uang cash=tunai coin=koin coins=koin price=harga prices=harga
inflation=inflasi deflation=deflasi recession=resesi growth=pertumbuhan grow=tumbuh grew=tumbuh
growing=tumbuh gdp=pdb income=pendapatan revenue=pendapatan revenues=pendapatan profit=laba
profits=laba tax=pajak taxes=pajak taxation=perpajakan debt=utang debts=utang loan=pinjaman
loans=pinjaman lending=pinjaman credit=kredit interest=bunga rate=tingkat rates=tingkat
invest=investasi invested=investasi investment=investasi investments=investasi
investors=investor stock=saham stocks=saham shares=saham shareholder=pemegang market=pasar
markets=pasar trade=perdagangan trading=perdagangan trader=pedagang traders=pedagang
merchant=pedagang export=ekspor exports=ekspor exported=ekspor exporter=eksportir
exporters=eksportir import=impor imports=impor imported=impor importer=importir goods=barang
product=produk products=produk commodity=komoditas commodities=komoditas supply=pasokan
supplies=pasokan supplied=pasok supplier=pemasok suppliers=pemasok demand=permintaan
consumer=konsumen consumers=konsumen consumption=konsumsi company=perusahaan
companies=perusahaan firm=perusahaan firms=perusahaan corporation=korporasi
corporations=korporasi business=bisnis businesses=bisnis enterprise=usaha entrepreneur=pengusaha
entrepreneurs=pengusaha businessman=pengusaha factory=pabrik factories=pabrik
manufacturing=manufaktur manufacturer=produsen manufacturers=produsen producer=produsen
producers=produsen produce=produksi produced=produksi produces=produksi output=produksi
worker=pekerja workers=pekerja labor=buruh labour=buruh laborers=buruh employee=karyawan
employees=karyawan employment=pekerjaan unemployment=pengangguran unemployed=pengangguran
job=pekerjaan jobs=pekerjaan salary=gaji salaries=gaji wage=upah wages=upah pension=pensiun
pensions=pensiun poverty=kemiskinan poor=miskin rich=kaya wealth=kekayaan wealthy=kaya
welfare=kesejahteraan subsidy=subsidi subsidies=subsidi grant=hibah grants=hibah
donation=sumbangan donations=sumbangan donors=donor spending=belanja spend=belanja
spent=habiskan expenditure=pengeluaran expenses=biaya costs=biaya value=nilai worth=nilai
percent=persen percentage=persentase ratio=rasio amount=jumlah number=jumlah numbers=jumlah
oil=minyak petroleum=minyak fuel=bakar fuels=bakar coal=batubara mining=tambang miner=penambang
minerals=mineral gold=emas silver=perak copper=tembaga iron=besi steel=baja nickel=nikel
tin=timah aluminum=aluminium lithium=litium diamond=berlian diamonds=berlian pipeline=pipa
pipelines=pipa refinery=kilang renewable=terbarukan wind=angin reactor=reaktor reactors=reaktor
grid=jaringan battery=baterai batteries=baterai agriculture=pertanian agricultural=pertanian
farmer=petani farmers=petani farm=pertanian farms=pertanian farming=pertanian crop=tanaman
crops=tanaman harvest=panen rice=beras wheat=gandum corn=jagung maize=jagung grain=gandum
grains=gandum sugar=gula coffee=kopi tea=teh palm=sawit rubber=karet cocoa=kakao
fisheries=perikanan fishing=perikanan fish=ikan fishermen=nelayan livestock=ternak cattle=sapi
food=pangan foods=pangan hunger=kelaparan famine=kelaparan starvation=kelaparan
tourism=pariwisata tourist=wisatawan tourists=wisatawan fiscal=fiskal monetary=moneter
exchange=tukar ruble=rubel rouble=rubel economical=ekonomis bankrupt=bangkrut
bankruptcy=kebangkrutan auction=lelang privatization=privatisasi nationalized=nasionalisasi
shortage=kekurangan shortages=kekurangan deficit=defisit inflationary=inflasi wholesale=grosir
retail=eceran shop=toko shops=toko store=toko stores=toko mall=mal customer=pelanggan
customers=pelanggan contract=kontrak contracts=kontrak procurement=pengadaan purchase=pembelian
purchased=beli purchases=pembelian pay=bayar paid=bayar payment=pembayaran payments=pembayaran
buy=beli bought=beli sell=jual sold=jual sale=penjualan sales=penjualan insurance=asuransi
savings=tabungan asset=aset assets=aset property=properti properties=properti housing=perumahan
rent=sewa
"""

# Law, courts and crime.
_LAW = """
court=pengadilan courts=pengadilan judge=hakim judges=hakim trial=persidangan trials=persidangan
lawsuit=gugatan sued=gugat sue=gugat verdict=putusan ruling=putusan sentenced=vonis
prison=penjara prisons=penjara jail=penjara jailed=penjara imprisoned=penjara
imprisonment=penjara arrest=tangkap arrested=tangkap arrests=penangkapan detained=tahan
detention=penahanan custody=tahanan charged=dakwa indictment=dakwaan accused=tuduh
accusation=tuduhan accusations=tuduhan allegations=tuduhan alleged=dugaan suspect=tersangka
suspects=tersangka suspected=duga defendant=terdakwa prosecutor=jaksa prosecutors=jaksa
prosecution=penuntutan attorney=pengacara lawyer=pengacara lawyers=pengacara guilty=bersalah
crime=kejahatan crimes=kejahatan criminal=kriminal criminals=penjahat corruption=korupsi
corrupt=korup bribery=suap bribe=suap bribes=suap fraud=penipuan scam=penipuan theft=pencurian
robbery=perampokan smuggling=penyelundupan smuggled=selundupkan trafficking=perdagangan
drug=obat drugs=narkoba narcotics=narkotika laundering=pencucian investigation=penyelidikan
investigations=penyelidikan investigate=selidiki investigated=selidiki investigators=penyelidik
evidence=bukti witness=saksi witnesses=saksi testimony=kesaksian justice=keadilan rights=hak
humanitarian=kemanusiaan genocide=genosida massacre=pembantaian torture=penyiksaan
violation=pelanggaran violations=pelanggaran violate=langgar violated=langgar illegal=ilegal
illegally=ilegal legally=legal regulation=regulasi regulations=regulasi rules=aturan
penalty=hukuman punishment=hukuman punished=hukum fined=denda banned=larang bans=larangan
prohibit=larang prohibited=larang permit=izin permission=izin license=izin licence=izin
approval=persetujuan approved=setujui approve=setujui judicial=yudisial supreme=agung
appeal=banding acquitted=bebas convicted=vonis conviction=vonis execution=eksekusi
executed=eksekusi extradition=ekstradisi tribunal=mahkamah prosecute=tuntut murderer=pembunuh
killer=pembunuh thief=pencuri hacking=peretasan
"""

# Health, science and technology.
_SCIENCE = """
health=kesehatan healthy=sehat hospital=sakit hospitals=sakit doctor=dokter doctors=dokter
nurse=perawat nurses=perawat patient=pasien patients=pasien disease=penyakit diseases=penyakit
illness=penyakit sick=sakit viruses=virus pandemic=pandemi epidemic=epidemi outbreak=wabah
infection=infeksi infections=infeksi infected=infeksi vaccine=vaksin vaccines=vaksin
vaccination=vaksinasi vaccinated=vaksinasi medicine=obat medicines=obat medication=obat
cancer=kanker heart=jantung blood=darah brain=otak lung=paru lungs=paru treatment=pengobatan
cure=obat surgery=operasi symptoms=gejala symptom=gejala mortality=kematian
tuberculosis=tuberkulosis coronavirus=korona nutrition=gizi malnutrition=gizi obesity=obesitas
medical=medis clinic=klinik clinics=klinik pharmacy=apotek pharmaceutical=farmasi immune=imun
immunity=kekebalan science=sains sciences=sains scientific=ilmiah scientist=ilmuwan
scientists=ilmuwan research=penelitian researcher=peneliti researchers=peneliti study=studi
studies=studi experiment=eksperimen experiments=eksperimen theory=teori discovery=penemuan
discoveries=penemuan discovered=temukan discover=temukan invented=temukan invent=temukan
inventor=penemu inventors=penemu invention=penemuan inventions=penemuan physics=fisika
chemistry=kimia biology=biologi mathematics=matematika math=matematika astronomy=astronomi
physicist=fisikawan chemist=kimiawan biologist=biolog mathematician=matematikawan element=unsur
elements=unsur atoms=atom molecule=molekul molecules=molekul gravity=gravitasi light=cahaya
speed=kecepatan temperature=suhu temperatures=suhu heat=panas degrees=derajat planets=planet
sun=matahari moon=bulan star=bintang stars=bintang earth=bumi universe=semesta galaxy=galaksi
space=antariksa astronauts=astronaut spacecraft=wahana telescope=teleskop comet=komet
oxygen=oksigen hydrogen=hidrogen carbon=karbon dioxide=dioksida technology=teknologi
technologies=teknologi technological=teknologi computer=komputer computers=komputer
software=lunak phone=telepon telephone=telepon phones=telepon smartphone=ponsel
smartphones=ponsel cellphone=ponsel network=jaringan networks=jaringan website=situs
websites=situs site=situs app=aplikasi apps=aplikasi application=aplikasi applications=aplikasi
robots=robot semiconductor=semikonduktor semiconductors=semikonduktor engine=mesin engines=mesin
machine=mesin machines=mesin electric=listrik electrical=listrik electronic=elektronik
electronics=elektronik innovation=inovasi innovations=inovasi engineer=insinyur
engineers=insinyur engineering=teknik telecommunications=telekomunikasi television=televisi
camera=kamera cameras=kamera hacker=peretas hackers=peretas hacked=retas algorithm=algoritma
algorithms=algoritma laboratory=laboratorium lab=laboratorium microscope=mikroskop
electron=elektron electrons=elektron radiation=radiasi genetic=genetik gene=gen genes=gen
evolution=evolusi species=spesies cell=sel cells=sel bacteria=bakteri organism=organisme
patent=paten patents=paten
"""

# Geography: the world, terrain, countries, nationalities and cities.
_GEOGRAPHY = """
asian=asia africa=afrika african=afrika antarctica=antartika antarctic=antartika arctic=arktik
oceania=oseania middle=tengah pacific=pasifik atlantic=atlantik indian=india
mediterranean=mediterania baltic=baltik balkans=balkan caribbean=karibia
scandinavian=skandinavia scandinavia=skandinavia nordic=nordik ocean=samudra oceans=samudra
sea=laut seas=laut gulf=teluk bay=teluk strait=selat straits=selat lake=danau lakes=danau
river=sungai rivers=sungai mountain=gunung mountains=pegunungan mount=gunung volcano=gunung
volcanoes=gunung volcanic=vulkanik hill=bukit hills=bukit valley=lembah desert=gurun
deserts=gurun forest=hutan forests=hutan jungle=hutan rainforest=hutan island=pulau
islands=pulau archipelago=kepulauan peninsula=semenanjung coast=pantai coastal=pesisir
coastline=pantai beach=pantai plain=dataran plains=dataran plateau=dataran land=tanah
lands=tanah continent=benua continents=benua world=dunia worldwide=dunia equator=khatulistiwa
latitude=lintang longitude=bujur climate=iklim tropical=tropis hemisphere=belahan area=luas
town=kota towns=kota cities=kota urban=perkotaan rural=pedesaan map=peta maps=peta
northern=utara southern=selatan geography=geografi geographic=geografis waterfall=terjun
canal=kanal swamp=rawa lagoon=laguna reef=karang coral=karang cave=gua caves=gua glacier=gletser
afghanistan=afganistan afghan=afganistan algeria=aljazair argentine=argentina armenian=armenia
austrian=austria belarusian=belarus belgian=belgia brazil=brasil brazilian=brasil
britain=inggris british=inggris england=inggris english=inggris bulgarian=bulgaria
cambodia=kamboja cambodian=kamboja cameroon=kamerun canada=kanada canadian=kanada chile=cile
chilean=cile colombia=kolombia colombian=kolombia congo=kongo croatia=kroasia croatian=kroasia
cuba=kuba cuban=kuba cyprus=siprus czech=ceko danish=denmark egypt=mesir egyptian=mesir
estonian=estonia ethiopia=etiopia ethiopian=etiopia georgian=georgia greece=yunani greek=yunani
iceland=islandia indonesian=indonesia indonesians=indonesia iraq=irak iraqi=irak iranian=iran
ireland=irlandia irish=irlandia israeli=israel italy=italia italian=italia jamaica=jamaika
japanese=jepang jordan=yordania jordanian=yordania korean=korea kyrgyzstan=kirgizstan
latvian=latvia lebanese=lebanon libya=libia libyan=libia lithuanian=lituania
luxembourg=luksemburg malaysian=malaysia mexico=meksiko mexican=meksiko morocco=maroko
moroccan=maroko burma=myanmar norway=norwegia norwegian=norwegia pakistani=pakistan
palestine=palestina palestinian=palestina palestinians=palestina philippines=filipina
filipino=filipina portuguese=portugis romania=rumania romanian=rumania arabia=arab arabic=arab
scotland=skotlandia scottish=skotlandia serbian=serbia singapore=singapura slovakia=slowakia
slovak=slowakia spain=spanyol spanish=spanyol switzerland=swiss syria=suriah syrian=suriah
taiwanese=taiwan thai=thailand turkey=turki turkish=turki emirates=emirat vietnamese=vietnam
yemen=yaman austrians=austria hungarian=hongaria russians=rusia ukrainians=ukraina
germans=jerman americans=amerika europeans=eropa vatican=vatikan ussr=soviet persian=persia
crimea=krimea crimean=krimea moscow=moskow kiev=kyiv brussels=brussel hague=haag vienna=wina
warsaw=warsawa prague=praha athens=athena geneva=jenewa cairo=kairo jerusalem=yerusalem
mecca=mekkah medina=madinah damascus=damaskus baghdad=bagdad tehran=teheran lisbon=lisabon
copenhagen=kopenhagen bucharest=bukares munich=munchen venice=venesia florence=florensia
naples=napoli rome=roma
"""

# History, culture, religion and family.
_CULTURE = """
history=sejarah historical=sejarah historic=bersejarah historian=sejarawan ancient=kuno
medieval=pertengahan century=abad centuries=abad decade=dekade decades=dekade period=periode
age=usia millennium=milenium civilization=peradaban civilisation=peradaban culture=budaya
cultures=budaya cultural=budaya tradition=tradisi traditions=tradisi traditional=tradisional
custom=adat customs=adat heritage=warisan art=seni arts=seni artist=seniman artists=seniman
painting=lukisan paintings=lukisan painted=lukis painter=pelukis music=musik musical=musik
musician=musisi musicians=musisi song=lagu songs=lagu singer=penyanyi singers=penyanyi
dance=tari dancer=penari theatre=teater theater=teater movie=film movies=film actor=aktor
actors=aktor actress=aktris literature=sastra novels=novel poem=puisi poems=puisi poet=penyair
poetry=puisi writer=penulis writers=penulis author=penulis authors=penulis wrote=tulis
write=tulis written=tulis writes=tulis writing=tulisan story=cerita stories=cerita
language=bahasa languages=bahasa dialect=dialek alphabet=abjad script=aksara museums=museum
monument=monumen monuments=monumen temple=candi temples=candi church=gereja churches=gereja
mosque=masjid mosques=masjid cathedral=katedral palace=istana palaces=istana castle=kastel
tower=menara towers=menara bridge=jembatan bridges=jembatan building=gedung buildings=gedung
statue=patung statues=patung tomb=makam grave=makam cemetery=pemakaman ruins=reruntuhan
religion=agama religions=agama religious=agama god=tuhan gods=dewa goddess=dewi islamic=islam
muslims=muslim christian=kristen christians=kristen christianity=kristen catholic=katolik
catholics=katolik protestant=protestan hinduism=hindu buddhist=buddha buddhism=buddha
jewish=yahudi jews=yahudi jew=yahudi judaism=yahudi prophet=nabi bible=alkitab quran=alquran
pope=paus priest=pendeta priests=pendeta bishop=uskup cleric=ulama clerics=ulama
scholar=cendekiawan scholars=cendekiawan saint=santo pilgrimage=ziarah hajj=haji pilgrims=jemaah
christmas=natal easter=paskah eid=lebaran festivals=festival celebration=perayaan
celebrate=rayakan celebrated=rayakan holiday=libur holidays=libur ceremony=upacara
ceremonies=upacara wedding=pernikahan marriage=pernikahan married=menikah marry=menikah
divorce=cerai divorced=cerai family=keluarga families=keluarga father=ayah mother=ibu son=putra
sons=putra daughter=putri daughters=putri brother=saudara brothers=saudara sister=saudari
sisters=saudari child=anak children=anak baby=bayi babies=bayi wife=istri husband=suami
grandfather=kakek grandmother=nenek grandson=cucu ancestor=leluhur ancestors=leluhur
descendant=keturunan descendants=keturunan tribe=suku tribes=suku tribal=suku ethnic=etnis
ethnicity=etnis indigenous=pribumi slavery=perbudakan slave=budak slaves=budak pharaoh=firaun
legend=legenda legends=legenda myth=mitos myths=mitos hero=pahlawan heroes=pahlawan
heroine=pahlawan ottoman=utsmaniyah roman=romawi romans=romawi byzantine=bizantium
mythology=mitologi philosophy=filsafat philosopher=filsuf philosophers=filsuf
archaeology=arkeologi archaeologist=arkeolog archaeologists=arkeolog architecture=arsitektur
architect=arsitek manuscript=naskah inscription=prasasti sultanate=kesultanan
colonizers=penjajah colonized=jajah fashion=mode cuisine=masakan dish=hidangan recipe=resep
"""

# Sports, education and transport.
_SOCIETY = """
sport=olahraga sports=olahraga football=sepak soccer=sepak ball=bola basketball=basket
volleyball=voli tennis=tenis boxing=tinju boxer=petinju swimming=renang swimmer=perenang
athletics=atletik marathon=maraton racing=balap cycling=bersepeda match=pertandingan
matches=pertandingan game=pertandingan games=pertandingan tournament=turnamen
tournaments=turnamen championship=kejuaraan championships=kejuaraan champion=juara cup=piala
trophy=trofi medal=medali medals=medali olympics=olimpiade olympic=olimpiade team=tim teams=tim
club=klub clubs=klub player=pemain players=pemain coach=pelatih coaches=pelatih athlete=atlet
athletes=atlet score=skor scored=cetak stadium=stadion league=liga referee=wasit fan=penggemar
fans=penggemar supporter=pendukung supporters=pendukung record=rekor records=rekor season=musim
seasons=musim chess=catur education=pendidikan educational=pendidikan school=sekolah
schools=sekolah student=siswa students=siswa pupil=murid pupils=murid teacher=guru teachers=guru
university=universitas universities=universitas college=kampus campus=kampus professor=profesor
professors=profesor lecturer=dosen lecturers=dosen degree=gelar graduate=lulusan
graduates=lulusan graduated=lulus exam=ujian exams=ujian examination=ujian test=tes tests=tes
curriculum=kurikulum scholarship=beasiswa scholarships=beasiswa literacy=literasi
academic=akademik academy=akademi lesson=pelajaran lessons=pelajaran class=kelas classes=kelas
textbook=buku library=perpustakaan libraries=perpustakaan doctorate=doktor thesis=tesis
knowledge=pengetahuan learn=belajar learned=belajar learning=pembelajaran teach=ajar taught=ajar
teaching=pengajaran transport=transportasi transportation=transportasi vehicle=kendaraan
vehicles=kendaraan car=mobil cars=mobil truck=truk trucks=truk motorcycle=motor
motorcycles=motor bicycle=sepeda bicycles=sepeda bike=sepeda railway=kereta railways=kereta
rail=rel railroad=kereta trains=kereta subway=kereta airport=bandara airports=bandara
airline=maskapai airlines=maskapai flight=penerbangan flights=penerbangan passenger=penumpang
passengers=penumpang port=pelabuhan ports=pelabuhan harbor=pelabuhan harbour=pelabuhan
ferry=feri boat=perahu boats=perahu cargo=kargo shipping=pelayaran road=jalan roads=jalan
highway=jalan highways=jalan street=jalan streets=jalan toll=tol traffic=lintas
accident=kecelakaan accidents=kecelakaan crash=kecelakaan collision=tabrakan tunnel=terowongan
route=rute routes=rute driver=sopir drivers=sopir ticket=tiket tickets=tiket fare=tarif
"""

# Environment, weather and nature.
_ENVIRONMENT = """
environment=lingkungan environmental=lingkungan pollution=polusi polluted=cemar emissions=emisi
emission=emisi warming=pemanasan weather=cuaca rain=hujan rains=hujan rainfall=hujan
flood=banjir floods=banjir flooding=banjir drought=kekeringan storm=badai storms=badai
hurricane=badai typhoon=topan cyclone=siklon earthquake=gempa earthquakes=gempa quake=gempa
eruption=letusan erupted=letus landslide=longsor landslides=longsor wildfire=kebakaran
wildfires=kebakaran disaster=bencana disasters=bencana snow=salju ice=es hot=panas warm=hangat
monsoon=muson dry=kering wet=basah humidity=kelembapan water=air waste=sampah garbage=sampah
plastic=plastik recycling=daur deforestation=deforestasi wildlife=satwa animal=hewan
animals=hewan tree=pohon trees=pohon flower=bunga flowers=bunga bird=burung birds=burung
elephant=gajah elephants=gajah tiger=harimau tigers=harimau extinct=punah extinction=kepunahan
nature=alam natural=alam conservation=konservasi park=taman parks=taman
sustainable=berkelanjutan sustainability=keberlanjutan ecosystem=ekosistem
biodiversity=keanekaragaman drinking=minum sanitation=sanitasi sewage=limbah smoke=asap
haze=kabut fog=kabut cloud=awan clouds=awan sky=langit thunder=petir lightning=petir
"""

# Time words and numbers.
_TIME_NUMBERS = """
january=januari february=februari march=maret june=juni july=juli august=agustus october=oktober
december=desember monday=senin tuesday=selasa wednesday=rabu thursday=kamis friday=jumat
saturday=sabtu sunday=minggu spring=semi summer=panas autumn=gugur yesterday=kemarin
tomorrow=besok morning=pagi afternoon=sore evening=malam noon=siang hour=jam hours=jam
minute=menit minutes=menit seconds=detik date=tanggal dates=tanggal time=waktu annual=tahunan
annually=tahunan weekly=mingguan daily=harian weekend=akhir early=awal late=akhir end=akhir
beginning=awal begin=mulai started=mulai starts=mulai ended=berakhir ends=berakhir
finish=selesai finished=selesai calendar=kalender schedule=jadwal deadline=tenggat
duration=durasi now=kini today=kini currently=kini nowadays=kini
one=satu two=dua three=tiga four=empat five=lima six=enam seven=tujuh
eight=delapan nine=sembilan ten=sepuluh eleven=sebelas twelve=belas thirteen=belas
fourteen=belas fifteen=belas sixteen=belas seventeen=belas eighteen=belas nineteen=belas
twenty=puluh thirty=puluh forty=puluh fifty=puluh sixty=puluh seventy=puluh eighty=puluh
ninety=puluh hundred=ratus hundreds=ratusan thousands=ribuan millions=jutaan billions=miliaran
zero=nol second=kedua third=ketiga fourth=keempat fifth=kelima sixth=keenam seventh=ketujuh
eighth=kedelapan ninth=kesembilan tenth=kesepuluh quarter=kuartal double=ganda dozen=lusin
dozens=puluhan
"""

# Verbs, nouns and adjectives that questions are made of.
_COMMON = """
build=bangun built=bangun builds=bangun construct=bangun constructed=bangun involved=terlibat
involve=terlibat involvement=terlibat disagree=menentang disagreed=menentang disagrees=menentang
construction=pembangunan rebuild=bangun found=temukan founder=pendiri founders=pendiri
establish=dirikan establishment=pendirian born=lahir birth=kelahiran birthplace=kelahiran
create=cipta created=cipta creates=cipta creation=penciptaan creator=pencipta design=desain
designed=rancang designer=perancang develop=kembang developed=kembang development=pembangunan
developing=berkembang make=buat made=buat makes=buat explore=jelajahi explorer=penjelajah
explorers=penjelajah exploration=eksplorasi name=nama named=nama names=nama called=sebut
known=kenal famous=terkenal largest=terbesar biggest=terbesar large=besar big=besar huge=besar
great=besar greatest=terbesar small=kecil smallest=terkecil little=kecil tiny=kecil long=panjang
longest=terpanjang length=panjang short=pendek shortest=terpendek tall=tinggi tallest=tertinggi
high=tinggi highest=tertinggi height=tinggi low=rendah lowest=terendah deep=kedalaman
depth=kedalaman deepest=terdalam wide=lebar width=lebar widest=terlebar heavy=berat weight=berat
heaviest=terberat fast=cepat fastest=tercepat slow=lambat oldest=tertua young=muda
youngest=termuda youth=pemuda newest=terbaru latest=terbaru best=terbaik bad=buruk
worst=terburuk important=penting primary=utama key=kunci public=publik private=swasta
secret=rahasia free=bebas freedom=kebebasan fair=adil equal=setara equality=kesetaraan
difficult=sulit easy=mudah safe=aman risk=risiko risks=risiko emergency=darurat serious=serius
severe=parah critical=kritis stable=stabil stability=stabilitas full=penuh empty=kosong
entire=seluruh whole=seluruh popular=populer common=umum special=khusus specific=spesifik
similar=serupa different=berbeda difference=perbedaan various=berbagai civil=sipil
civilian=sipil civilians=sipil person=orang persons=orang man=pria men=pria woman=wanita
women=wanita girl=gadis girls=gadis human=manusia humans=manusia humanity=kemanusiaan
life=kehidupan lived=tinggal home=rumah house=rumah houses=rumah homes=rumah work=kerja
worked=kerja working=kerja place=tempat places=tempat location=lokasi located=letak size=ukuran
type=jenis types=jenis part=bagian parts=bagian group=kelompok groups=kelompok event=peristiwa
events=peristiwa incident=insiden incidents=insiden cause=penyebab causes=penyebab
caused=sebabkan effect=dampak effects=dampak impact=dampak impacts=dampak consequence=akibat
consequences=akibat result=hasil results=hasil outcome=hasil purpose=tujuan goal=tujuan
goals=tujuan aim=tujuan objective=tujuan problem=masalah problems=masalah issue=isu issues=isu
solution=solusi idea=gagasan ideas=gagasan opinion=pendapat role=peran roles=peran
position=posisi positions=posisi control=kendali controlled=kuasai responsibility=tanggung
responsible=tanggung duty=tugas task=tugas tasks=tugas service=layanan services=layanan
programs=program programme=program project=proyek projects=proyek report=laporan reports=laporan
reported=laporkan survey=survei poll=survei polls=survei statistics=statistik average=rata
rank=peringkat ranking=peringkat ranked=peringkat quality=kualitas quantity=jumlah
receive=terima received=terima receives=terima give=beri gave=beri given=beri provide=sediakan
provided=sediakan provides=sediakan send=kirim sent=kirim sends=kirim sending=kirim
deliver=kirim delivered=kirim delivery=pengiriman deliveries=pengiriman use=guna used=guna
uses=guna using=guna take=ambil took=ambil taken=ambil bring=bawa brought=bawa carry=bawa
carried=bawa hold=gelar held=gelar holds=gelar host=tuan hosted=tuan meet=temu met=temu
visit=kunjungan visited=kunjungi visits=kunjungan visitor=pengunjung visitors=pengunjung
travel=perjalanan traveled=perjalanan travelled=perjalanan trip=perjalanan journey=perjalanan
arrive=tiba arrived=tiba arrival=kedatangan return=kembali returned=kembali move=pindah
moved=pindah open=buka opened=buka opening=pembukaan close=tutup closed=tutup closure=penutupan
continue=lanjut continued=lanjut stop=henti stopped=henti change=perubahan changes=perubahan
changed=ubah increase=peningkatan increased=meningkat increases=peningkatan rise=naik rose=naik
rising=naik raise=naikkan raised=naikkan decrease=penurunan decreased=turun decline=penurunan
declined=turun fell=turun drop=turun dropped=turun reduce=kurangi reduced=kurangi
reduction=pengurangan cut=pangkas cuts=pemangkasan boost=dorong strengthen=perkuat
strengthened=perkuat strong=kuat stronger=kuat strongest=terkuat weak=lemah weaken=lemahkan
protect=lindungi protected=lindungi protection=perlindungan defend=bela defended=bela
save=selamatkan saved=selamatkan rescue=penyelamatan rescued=selamatkan destroy=hancurkan
destroyed=hancur destruction=kehancuran damage=kerusakan damaged=rusak repair=perbaiki
prevent=cegah prevented=cegah allow=izinkan allowed=izinkan require=perlukan required=perlukan
requirement=syarat request=permintaan requested=minta ask=minta asked=minta claim=klaim
claimed=klaim claims=klaim deny=bantah denied=bantah confirm=konfirmasi confirmed=konfirmasi
accept=terima accepted=terima reject=tolak rejected=tolak refuse=tolak refused=tolak
oppose=menentang opposed=menentang criticize=kritik criticized=kritik criticise=kritik
criticised=kritik criticism=kritik praise=puji praised=puji blame=salahkan blamed=salahkan
condemn=kecam condemned=kecam respond=tanggapi response=tanggapan responded=tanggapi
react=reaksi reaction=reaksi discuss=bahas discussed=bahas discussion=diskusi debate=debat
mention=sebut mentioned=sebut sign=tandatangani signed=tandatangani signing=penandatanganan
ratify=ratifikasi ratified=ratifikasi expel=usir expelled=usir withdraw=tarik withdrew=tarik
withdrawal=penarikan withdrawn=tarik enter=masuk entered=masuk entry=masuk exit=keluar
leave=keluar leaving=keluar quit=keluar lead=pimpin led=pimpin leads=pimpin leadership=kepemimpinan
served=jabat serve=jabat serves=jabat serving=jabat term=masa appoint=tunjuk appointed=tunjuk nominate=calonkan
nominated=calonkan nominee=calon dismissed=pecat retire=pensiun retired=pensiun succeed=gantikan
succeeded=gantikan inherit=warisi inherited=warisi win=menang won=menang wins=menang
winner=pemenang winners=pemenang lose=kalah lost=kalah losing=kalah compete=bersaing
competition=kompetisi friend=teman friends=teman happen=terjadi happened=terjadi happens=terjadi
occur=terjadi occurred=terjadi become=menjadi became=menjadi becomes=menjadi remain=tetap
remained=tetap remains=tetap include=termasuk included=termasuk includes=termasuk
including=termasuk contain=berisi contains=berisi cover=cakup covered=cakup covers=cakup
focus=fokus concern=kekhawatiran concerns=kekhawatiran concerned=khawatir worried=khawatir
fear=takut fears=kekhawatiran hope=harap hopes=harapan hoped=harap expect=harap expected=kira
estimate=perkiraan estimated=kira predicted=prediksi forecast=prakiraan believe=yakin
believed=yakin know=tahu knew=tahu want=ingin wanted=ingin wants=ingin try=coba tried=coba
attempt=upaya attempts=upaya effort=upaya efforts=upaya achieve=capai achieved=capai reach=capai
reached=capai struggle=perjuangan resist=lawan resistance=perlawanan hit=hantam hits=hantam
burn=bakar burned=bakar burnt=bakar sink=tenggelam sank=tenggelam sunk=tenggelam collapse=runtuh
collapsed=runtuh spread=sebar spreads=sebar situation=situasi condition=kondisi
conditions=kondisi process=proses structure=struktur method=metode methods=metode tool=alat
tools=alat equipment=peralatan materials=bahan resource=sumber resources=sumber source=sumber
sources=sumber capacity=kapasitas ability=kemampuan capability=kemampuan capabilities=kemampuan
skill=keterampilan skills=keterampilan experience=pengalaman meaning=arti means=arti
definition=definisi symbol=simbol flag=bendera anthem=kebangsaan motto=semboyan emblem=lambang
owner=pemilik owners=pemilik owned=milik distance=jarak color=warna colour=warna colors=warna
colours=warna red=merah blue=biru green=hijau yellow=kuning black=hitam brown=cokelat
orange=oranye purple=ungu grey=abu gray=abu signal=isyarat signals=isyarat message=pesan
messages=pesan letter=surat letters=surat phrase=frasa title=judul titles=judul
award=penghargaan awards=penghargaan prize=hadiah prizes=hadiah honor=kehormatan
honour=kehormatan funeral=pemakaman memorial=peringatan commemorate=peringati
commemoration=peringatan tragedy=tragedi survivors=penyintas survivor=penyintas survive=bertahan
survived=selamat
"""

GLOSSARY: dict[str, str] = dict(
    pair.split("=", 1)
    for section in (
        _PAIRS,
        _POLITICS,
        _MILITARY,
        _ECONOMY,
        _LAW,
        _SCIENCE,
        _GEOGRAPHY,
        _CULTURE,
        _SOCIETY,
        _ENVIRONMENT,
        _TIME_NUMBERS,
        _COMMON,
    )
    for pair in section.split()
)

# English phrases whose words mean something else one by one ("take" + "over" is not "ambil";
# "how old" asks for an age, not for "lama"; to "join the war" is to be in it, not to become a
# member): each is read as the glossary word (or two) it means before
# the question's words are looked up. Written for this project.
_PHRASES = {
    "succeed": "take over|takes over|took over|taking over|taken over",
    "resign": "step down|steps down|stepped down|stepping down",
    "age": "how old",
    "withdraw": "pull out|pulls out|pulled out|pulling out",
    "shortage": "run out of|runs out of|ran out of|running out of|short of",
    "lead": "in charge of",
    "give": "hand over|hands over|handed over",
    "involved war": "join the war|joins the war|joined the war|joining the war|enter the war|entered the war",
    "involved": "take part in|takes part in|took part in|taking part in|get involved|gets involved|got involved",
}
_PHRASE_RE = re.compile(
    r"\b(" + "|".join(p for forms in _PHRASES.values() for p in forms.split("|")) + r")\b", re.IGNORECASE
)
_WORD_OF_PHRASE = {p: word for word, forms in _PHRASES.items() for p in forms.split("|")}


def join_phrases(text: str) -> str:
    """English phrases replaced by the glossary word they mean ("took over" → "succeed")."""
    return _PHRASE_RE.sub(lambda m: _WORD_OF_PHRASE[m.group(0).lower()], text)
